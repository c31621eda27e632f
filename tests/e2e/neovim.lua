-- Headless Neovim opens the shared regulation with the kiyaku plugin and waits for
-- kiyaku's diagnostics: nvim --headless -u NONE -l is not in 0.7, so this runs with
--   nvim --headless -u NONE -c "set rtp+=editors/neovim" -c "luafile tests/e2e/neovim.lua"
local binary = os.getenv("KIYAKU_BIN") or "target/debug/kiyaku"
require("kiyaku").setup({ cmd = { binary, "lsp" } })
vim.cmd("edit tests/corpus/shared/regulation-tsc.txt")
vim.bo.filetype = "text"
local buf = vim.api.nvim_get_current_buf()
local ok = vim.wait(20000, function()
  return #vim.diagnostic.get(buf) > 0
end, 100)
local found = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  found[d.lnum + 1] = (found[d.lnum + 1] or "") .. d.message
end
local function fail(message)
  io.stderr:write("neovim e2e: " .. message .. "\n")
  vim.cmd("cquit 1")
end
if not ok then
  fail("no diagnostics arrived")
elseif not (found[65] and found[65]:find("毀損")) then
  fail("the typo on line 65 (滅失及び既存) was not reported")
elseif not (found[603] and found[603]:find("イ")) then
  fail("the broken reference on line 603 was not reported")
else
  io.stdout:write("neovim: 1 passed, 0 failed\n")
  vim.cmd("qall!")
end
