-- Driven by tests/neovim.rs: open the file named by $CPL_FILE (the init file, the README's
-- Neovim snippet, starts the language server for it), wait for its diagnostics, write them to
-- $CPL_OUT as JSON, and quit. `ok` is false when none arrived in time.
local file = os.getenv("CPL_FILE")
local out = os.getenv("CPL_OUT")
vim.cmd("edit " .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local ok = vim.wait(60000, function()
  return #vim.diagnostic.get(buf) > 0
end, 20)
local clients = {}
for _, client in pairs(vim.lsp.buf_get_clients(buf)) do
  table.insert(clients, client.name)
end
local diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(diagnostics, {
    lnum = d.lnum,
    col = d.col,
    end_lnum = d.end_lnum,
    end_col = d.end_col,
    severity = d.severity,
    code = d.code,
    source = d.source,
    message = d.message,
  })
end
vim.fn.writefile({ vim.fn.json_encode({ ok = ok, clients = clients, diagnostics = diagnostics }) }, out)
vim.cmd("qa!")
