-- kiyaku for Neovim's built-in language client.
--
--   require("kiyaku").setup{}                      -- defaults below
--   require("kiyaku").setup{ cmd = { "/path/to/kiyaku", "lsp" }, settings = { language = "en" } }
--
-- Works on Neovim 0.7 (vim.lsp.start_client) and later (vim.lsp.start).
local M = {}

M.defaults = {
  cmd = { "kiyaku", "lsp" },
  filetypes = { "text", "markdown" },
  root_markers = { "kiyaku.toml", ".git" },
  -- sent as initializationOptions.kiyaku: language ("ja" | "en"), kind
  settings = {},
}

local clients = {}

local function root_dir(path, markers)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  while dir and dir ~= "" do
    for _, marker in ipairs(markers) do
      if vim.loop.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      break
    end
    dir = parent
  end
  return vim.fn.getcwd()
end

--- Attaches kiyaku to a buffer (one client per root folder).
function M.attach(bufnr, config)
  config = config or M.config or M.defaults
  local root = root_dir(vim.api.nvim_buf_get_name(bufnr), config.root_markers)
  local client_config = {
    name = "kiyaku",
    cmd = config.cmd,
    root_dir = root,
    init_options = { kiyaku = config.settings },
  }
  if vim.lsp.start then
    return vim.lsp.start(client_config, { bufnr = bufnr })
  end
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(client_config)
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", M.defaults, opts or {})
  local group = vim.api.nvim_create_augroup("kiyaku", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf, M.config)
    end,
  })
end

return M
