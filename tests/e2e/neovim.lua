-- Headless Neovim opens the shared regulation with the kiyaku plugin and waits for
-- kiyaku's diagnostics, runs the code lens, and inserts a model clause at the end of a
-- contract: nvim --headless -u NONE -l is not in 0.7, so this runs with
--   nvim --headless -u NONE -c "set rtp+=editors/neovim" -c "luafile tests/e2e/neovim.lua"
-- (.ci/test runs it with Debian's Neovim 0.7 and with Neovim 0.11).
local binary = os.getenv("KIYAKU_BIN") or "target/debug/kiyaku"
require("kiyaku").setup({ cmd = { binary, "lsp" } })
local passed = 0
local function fail(message)
  io.stderr:write("neovim e2e: " .. message .. "\n")
  vim.cmd("cquit 1")
end
local function check(condition, message)
  if not condition then
    fail(message)
    error(message)
  end
  passed = passed + 1
end

-- 1. diagnostics on the regulation
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
check(ok, "no diagnostics arrived")
check(found[65] and found[65]:find("毀損"), "the typo on line 65 (滅失及び既存) was not reported")
check(found[603] and found[603]:find("イ"), "the broken reference on line 603 was not reported")

-- 2. the code lens runs: its command goes to the server, which shows the coverage list
local shown
vim.lsp.handlers["window/showMessage"] = function(_, result)
  shown = result.message
end
vim.lsp.codelens.refresh()
check(vim.wait(10000, function()
  return #vim.lsp.codelens.get(buf) > 0
end, 100), "no code lens arrived")
vim.api.nvim_win_set_cursor(0, { 1, 0 })
vim.lsp.codelens.run()
check(vim.wait(10000, function()
  return shown ~= nil
end, 100), "running the code lens showed nothing")
check(shown:find("regulation/", 1, true), "the coverage list names no item: " .. tostring(shown))

-- 3. a model clause inserted at the end of a contract leaves no blank line after it
local contract = vim.fn.tempname() .. ".txt"
vim.fn.writefile({ "業務委託契約書", "", "第1条（目的）", "乙は、本件業務を誠実に行う。" }, contract)
vim.cmd("edit " .. contract)
vim.bo.filetype = "text"
local cbuf = vim.api.nvim_get_current_buf()
check(vim.wait(20000, function()
  return #vim.diagnostic.get(cbuf) > 0
end, 100), "no diagnostics on the contract")
local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)({ bufnr = cbuf })
local client = clients[1]
local params = {
  textDocument = { uri = vim.uri_from_bufnr(cbuf) },
  range = { start = { line = 0, character = 0 }, ["end"] = { line = 0, character = 1 } },
  context = { diagnostics = {} },
}
local actions = client.request_sync("textDocument/codeAction", params, 10000, cbuf).result or {}
local insert
for _, a in ipairs(actions) do
  if a.title:find("秘密保持義務") and a.title:find("ひな形") then
    insert = a
  end
end
check(insert ~= nil, "no quick fix inserting 秘密保持義務")
vim.lsp.util.apply_workspace_edit(insert.edit, client.offset_encoding or "utf-16")
local lines = vim.api.nvim_buf_get_lines(cbuf, 0, -1, false)
check(lines[5] == "第2条（秘密保持義務）", "the clause is not line 5: " .. vim.inspect(lines))
check(lines[#lines] ~= "", "a blank line was left at the end: " .. vim.inspect(lines))
check(#lines == 6, "expected 6 lines: " .. vim.inspect(lines))

local v = vim.version()
io.stdout:write(string.format("neovim %d.%d: %d passed, 0 failed\n", v.major, v.minor, passed))
vim.cmd("qall!")
