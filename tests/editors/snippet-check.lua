-- Run after the Neovim snippet of docs/editors.md has opened two files of
-- one audit folder: writes to $AP_OUT how many auditpress servers run and
-- how many buffers the first is attached to, `clients N` and `buffers M`.
local out = os.getenv("AP_OUT")
local function servers()
  local found = {}
  for _, c in ipairs(vim.lsp.get_active_clients()) do
    if c.name == "auditpress" then table.insert(found, c) end
  end
  return found
end
vim.wait(20000, function()
  local s = servers()
  return #s > 0 and s[1].initialized == true
end, 20)
local s = servers()
local buffers = #s > 0 and #vim.lsp.get_buffers_by_client_id(s[1].id) or 0
vim.fn.writefile({ "clients " .. #s, "buffers " .. buffers }, out)
vim.cmd("qa!")
