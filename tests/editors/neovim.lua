-- Drives `auditpress lsp` from Neovim's built-in LSP client (0.7 and later),
-- headless: opens a finding, types a bad severity, waits for the server's
-- diagnostic, then asks for completion where the severity goes. Writes what
-- it saw to $AP_OUT, one line each: `diag LINE:COL MESSAGE` and `item LABEL`.
local bin, file, out = os.getenv("AP_BIN"), os.getenv("AP_FILE"), os.getenv("AP_OUT")
local seen = {}
local function finish()
  vim.fn.writefile(seen, out)
  vim.cmd("qa!")
end
vim.cmd("edit " .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({
  name = "auditpress",
  cmd = { bin, "lsp" },
  root_dir = vim.fn.fnamemodify(file, ":h:h"),
})
vim.lsp.buf_attach_client(buf, id)
local ready = vim.wait(20000, function()
  local c = vim.lsp.get_client_by_id(id)
  return c ~= nil and c.initialized == true
end, 20)
if not ready then
  table.insert(seen, "error: the client did not initialize")
  return finish()
end
-- Type a bad severity on line 3 (index 2) of the front matter.
vim.api.nvim_buf_set_lines(buf, 2, 3, false, { 'severity = "Hihg"' })
vim.wait(20000, function()
  return #vim.diagnostic.get(buf) > 0
end, 20)
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(seen, string.format("diag %d:%d %s", d.lnum, d.col, (d.message:gsub("\n", " | "))))
end
local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = 2, character = 12 } }
local answers = vim.lsp.buf_request_sync(buf, "textDocument/completion", params, 20000) or {}
for _, answer in pairs(answers) do
  local result = answer.result or {}
  for _, item in ipairs(result.items or result) do
    table.insert(seen, "item " .. item.label)
  end
end
finish()
