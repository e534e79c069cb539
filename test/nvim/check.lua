-- Drives Neovim's built-in LSP client against dist/server.js --stdio on one file and writes what it saw
-- (diagnostics, a hover, the code actions of the first diagnostic, the code lenses) as JSON. Works on Neovim 0.7+.
local server = os.getenv('CHOKEPOINT_SERVER')
local file = os.getenv('CHOKEPOINT_FILE')
local out = os.getenv('CHOKEPOINT_OUT')
local hover_line = tonumber(os.getenv('CHOKEPOINT_HOVER_LINE'))
local hover_col = tonumber(os.getenv('CHOKEPOINT_HOVER_COL'))

local function finish(result)
  local f = assert(io.open(out, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qa!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  vim.bo.filetype = 'elixir'
  local id = vim.lsp.start_client({
    name = 'chokepoint',
    cmd = { 'node', server, '--stdio' },
    root_dir = os.getenv('CHOKEPOINT_ROOT') or vim.fn.fnamemodify(file, ':h'),
    init_options = { debounceMs = 0 },
  })
  vim.lsp.buf_attach_client(0, id)
  vim.wait(15000, function() return #vim.diagnostic.get(0) > 0 end, 50)
  local diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    table.insert(diagnostics, { line = d.lnum, col = d.col, code = lsp.code or d.code, source = lsp.source or d.source, message = d.message })
  end
  local client = vim.lsp.get_client_by_id(id)
  local uri = vim.uri_from_bufnr(0)
  local hover = client.request_sync('textDocument/hover',
    { textDocument = { uri = uri }, position = { line = hover_line, character = hover_col } }, 10000, 0)
  -- the diagnostics of the first flagged line, converted back to LSP's shape as vim.lsp.buf.code_action does
  local first = vim.diagnostic.get(0)[1]
  local line_diagnostics = vim.lsp.diagnostic.get_line_diagnostics(0, first.lnum)
  local actions = client.request_sync('textDocument/codeAction', {
    textDocument = { uri = uri },
    range = line_diagnostics[1].range,
    context = { diagnostics = line_diagnostics },
  }, 10000, 0)
  local titles = {}
  for _, action in ipairs(actions.result or {}) do table.insert(titles, action.title) end
  -- code lenses as Neovim displays them (virtual text above the serializer)
  -- (asked again until the workspace index has found the callers in other files)
  vim.wait(15000, function()
    vim.lsp.codelens.refresh()
    vim.wait(200)
    local got = vim.lsp.codelens.get(0)
    return #got > 0 and got[1].command and not got[1].command.title:find('0 callers')
  end, 100)
  local lenses = {}
  for _, lens in ipairs(vim.lsp.codelens.get(0)) do
    table.insert(lenses, { line = lens.range.start.line, title = lens.command and lens.command.title or vim.NIL })
  end
  finish({ diagnostics = diagnostics, hover = hover.result and hover.result.contents.value or vim.NIL, actions = titles, lenses = lenses })
end)
if not ok then finish({ error = tostring(err) }) end
