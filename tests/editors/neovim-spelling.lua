-- Drives `auditpress lsp` from Neovim's built-in LSP client (0.7 and later),
-- headless, as a writer would: opens a finding, types a sentence with
-- "recieve" without saving, waits for the server's spelling diagnostic,
-- applies the code action "Replace with ..." through Neovim's own
-- apply_workspace_edit, types the word again, and runs the action "Add ...
-- to words.txt" as Neovim runs a command. Writes what it saw to $AP_OUT,
-- one line each:
--   diag LINE:COL MESSAGE      the diagnostics after each step (none: `clean`)
--   modified BOOL              whether the buffer is unsaved
--   action TITLE               the code actions offered
--   line TEXT                  the buffer's line after the replacement
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
local client = vim.lsp.get_client_by_id(id)
local last = vim.api.nvim_buf_line_count(buf)

-- Waits until the buffer has `n` diagnostics, and writes them down.
local function diagnostics(n)
  vim.wait(20000, function()
    return #vim.diagnostic.get(buf) == n
  end, 20)
  local got = vim.diagnostic.get(buf)
  if #got == 0 then
    table.insert(seen, "clean")
  end
  for _, d in ipairs(got) do
    table.insert(seen, string.format("diag %d:%d %s", d.lnum, d.col, (d.message:gsub("\n", " | "))))
  end
  return got
end

-- The code actions at the first diagnostic, asked as Neovim's own
-- vim.lsp.buf.code_action asks: with the diagnostics of the line, in LSP form.
local function actions(d)
  local params = { textDocument = vim.lsp.util.make_text_document_params(buf) }
  params.range = {
    start = { line = d.lnum, character = d.col },
    ["end"] = { line = d.end_lnum, character = d.end_col },
  }
  params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf, d.lnum) }
  local answers = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 20000) or {}
  local found = {}
  for _, answer in pairs(answers) do
    for _, action in ipairs(answer.result or {}) do
      table.insert(seen, "action " .. action.title)
      table.insert(found, action)
    end
  end
  return found
end

local function titled(list, prefix)
  for _, action in ipairs(list) do
    if action.title:sub(1, #prefix) == prefix then
      return action
    end
  end
end

-- Type a sentence after the last line, unsaved.
local typed = "The operators recieve the token."
diagnostics(0)
vim.api.nvim_buf_set_lines(buf, last, last, false, { "", typed })
local got = diagnostics(1)
table.insert(seen, "modified " .. tostring(vim.bo[buf].modified))
if #got == 0 then
  return finish()
end
local replace = titled(actions(got[1]), "Replace with")
if replace == nil then
  table.insert(seen, "error: no replacement offered")
  return finish()
end
vim.lsp.util.apply_workspace_edit(replace.edit, client.offset_encoding)
table.insert(seen, "line " .. vim.api.nvim_buf_get_lines(buf, last + 1, last + 2, false)[1])
diagnostics(0)

-- Typed again, then the word added to words.txt.
vim.api.nvim_buf_set_lines(buf, last + 1, last + 2, false, { typed })
got = diagnostics(1)
if #got == 0 then
  return finish()
end
local add = titled(actions(got[1]), "Add ")
if add == nil or add.command == nil then
  table.insert(seen, "error: no command to add the word")
  return finish()
end
-- As Neovim's code_action runs an action's command it has no handler for.
local command = type(add.command) == "table" and add.command or add
vim.lsp.buf_request_sync(buf, "workspace/executeCommand", command, 20000)
diagnostics(0)
table.insert(seen, "modified " .. tostring(vim.bo[buf].modified))
finish()
