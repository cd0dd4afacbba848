-- Drives texgrad lsp from Neovim's built-in LSP client (written for and verified with
-- Neovim 0.7.2, which speaks UTF-16 only; meant to run on later versions too).  Headless:
--
--   TEXGRAD_SPEC=spec.json nvim --headless -u NONE -i NONE -n -c 'luafile nvim_driver.lua'
--
-- spec.json: {"cmd": [...], "env": {...}, "settings"/"init_options": {...}, "doc": path,
--             "report": path, "timeout": ms,
--             "hover": [line, needle], "definition": [line, needle],
--             "fix": [line, needle, title-pattern], "action": [line, needle, title-pattern],
--             "show": [line, needle, title-pattern] (an action that displays, not edits),
--             "clean": true (the document has no problem: wait for the server's first
--             diagnostics for it, an empty list, instead of one shown),
--             "codes": [...] (wait until a diagnostic of each code is shown),
--             "root_dir": path (default: the document's folder),
--             "edit": [file, line, old, new] (another file edited in a split and saved),
--             "disk_edit": [file, old, new] (another file changed on disk, then :w)}
-- Without "cmd" the driver starts no client: it takes the one that the init file (given
-- with -u, a README snippet) attached to the document, and records how long after :edit the
-- first diagnostic was shown (first_diagnostic_ms).
-- Lines are 1-based; a needle is the text the cursor is put on (its first byte on that
-- line).  Every step is recorded in the report (JSON), which the Python test judges:
-- the driver only does what a user would, through Neovim's own functions.

local spec = vim.json.decode(table.concat(vim.fn.readfile(os.getenv("TEXGRAD_SPEC")), "\n"))
local report = { steps = {}, messages = {}, errors = {} }
local timeout = spec.timeout or 15000

local function save()
  vim.fn.writefile({ vim.json.encode(report) }, spec.report)
end

local function fail(msg)
  table.insert(report.errors, msg)
end

local function cursor_on(line, needle)
  local text = vim.api.nvim_buf_get_lines(0, line - 1, line, true)[1]
  local col = text:find(needle, 1, true)
  if not col then
    fail(("needle %q not on line %d"):format(needle, line))
    return false
  end
  vim.api.nvim_win_set_cursor(0, { line, col - 1 })
  return true
end

local function first_result(responses)
  for _, r in pairs(responses or {}) do
    if r.error then
      fail("error answer: " .. vim.inspect(r.error))
    end
    return r.result
  end
end

-- the id of the client attached to buf (0.10 and later: get_clients; before: buf_get_clients)
local function attached_client(buf)
  if vim.lsp.get_clients then
    local clients = vim.lsp.get_clients({ bufnr = buf })
    return clients[1] and clients[1].id
  end
  return (next(vim.lsp.buf_get_clients(buf)))
end

local function is_stopped(id)
  local client = vim.lsp.get_client_by_id(id)
  if client == nil then
    return true
  end
  if vim.fn.has("nvim-0.11") == 1 then -- methods take the client (client.stop(true) forces)
    return client:is_stopped()
  end
  return vim.lsp.client_is_stopped(id)
end

local ok, err = pcall(function()
  vim.cmd("filetype on")
  local exited = nil
  local published = 0
  local buf = nil
  local default_publish = vim.lsp.handlers["textDocument/publishDiagnostics"]
  local function count_published(e, result, ctx, config)
    if buf and result and result.uri == vim.uri_from_bufnr(buf) then
      published = published + 1
    end
    return default_publish(e, result, ctx, config)
  end
  local function record_message(_, result)
    table.insert(report.messages, result)
  end
  if not spec.cmd then
    -- the client is the user's init file's (a README snippet): watch it through the
    -- global handlers, which it does not replace
    vim.lsp.handlers["textDocument/publishDiagnostics"] = count_published
    vim.lsp.handlers["window/logMessage"] = record_message
    vim.lsp.handlers["window/showMessage"] = record_message
  end
  local opened_at = vim.loop.hrtime()
  vim.cmd("edit " .. vim.fn.fnameescape(spec.doc))
  buf = vim.api.nvim_get_current_buf()
  report.filetype = vim.bo.filetype
  report.nvim = tostring(vim.version().major) .. "." .. vim.version().minor .. "." .. vim.version().patch

  local client_id = nil
  if not spec.cmd then
    vim.wait(timeout, function()
      return attached_client(buf) ~= nil
    end, 5)
    client_id = attached_client(buf)
    if not client_id then
      error("the init file attached no client to " .. spec.doc)
    end
  else
  client_id = vim.lsp.start_client({
    name = "texgrad",
    cmd = spec.cmd,
    root_dir = spec.root_dir or vim.fn.fnamemodify(spec.doc, ":h"),
    cmd_env = spec.env,
    settings = spec.settings,
    init_options = spec.init_options,
    handlers = {
      ["textDocument/publishDiagnostics"] = count_published,
      ["window/logMessage"] = record_message,
      ["window/showMessage"] = record_message,
    },
    on_exit = function(code, signal)
      exited = { code = code, signal = signal }
    end,
  })
  vim.lsp.buf_attach_client(buf, client_id)
  end
  local client = vim.lsp.get_client_by_id(client_id)
  report.client_name = client.name
  report.root_dir = client.config.root_dir
  report.settings = client.config.settings
  vim.wait(timeout, function()
    return client.initialized or exited ~= nil
  end, 20)
  report.offset_encoding = client.offset_encoding

  -- diagnostics, as Neovim stores them (0-based lines, byte columns)
  -- spec.codes: wait until a diagnostic of each of these codes is shown (the derivative
  -- checks publish after the shape diagnostics)
  local function has_codes()
    for _, code in ipairs(spec.codes or {}) do
      local found = false
      for _, d in ipairs(vim.diagnostic.get(buf)) do
        if (d.code or (d.user_data and d.user_data.lsp.code)) == code then
          found = true
        end
      end
      if not found then
        return false
      end
    end
    return true
  end
  vim.wait(timeout, function()
    return (#vim.diagnostic.get(buf) > 0 and has_codes()) or (spec.clean and published > 0)
  end, 5)
  -- from :edit to the first diagnostic shown (start of the server included)
  report.first_diagnostic_ms = (vim.loop.hrtime() - opened_at) / 1e6
  report.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(report.diagnostics, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      message = d.message, code = d.code or (d.user_data and d.user_data.lsp.code),
      severity = d.severity, source = d.source,
    })
  end

  -- hover
  if spec.hover and cursor_on(spec.hover[1], spec.hover[2]) then
    local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
    local result = first_result(vim.lsp.buf_request_sync(buf, "textDocument/hover", params, timeout))
    report.hover = { sent = params.position, result = result }
  end

  -- go to definition: the location, and where Neovim's own jump puts the cursor
  if spec.definition and cursor_on(spec.definition[1], spec.definition[2]) then
    local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
    local result = first_result(vim.lsp.buf_request_sync(buf, "textDocument/definition", params, timeout))
    report.definition = { sent = params.position, result = result }
    if result and result[1] then
      if vim.lsp.util.show_document then -- 0.10 and later
        vim.lsp.util.show_document(result[1], client.offset_encoding, { focus = true })
      else
        vim.lsp.util.jump_to_location(result[1], client.offset_encoding)
      end
      local pos = vim.api.nvim_win_get_cursor(0)
      report.definition.jumped = { file = vim.api.nvim_buf_get_name(0), line = pos[1], col = pos[2] }
      vim.cmd("buffer " .. buf)
    end
  end

  -- code actions through Neovim's own vim.lsp.buf.code_action (it resolves an action
  -- without an edit by codeAction/resolve, then applies the edit), the choice made by
  -- a replaced vim.ui.select
  local function run_action(step, name)
    if not (step and cursor_on(step[1], step[2])) then
      return
    end
    local rec = { titles = {} }
    report[name] = rec
    local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
    local line_diagnostics = vim.lsp.diagnostic.get_line_diagnostics
    params.context = { diagnostics = line_diagnostics and line_diagnostics(buf) or {} }
    local listed = first_result(vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, timeout))
    for _, a in ipairs(listed or {}) do
      table.insert(rec.titles, a.title)
    end
    local before = vim.api.nvim_buf_get_changedtick(buf)
    local seen = published
    local chosen = nil
    local select = vim.ui.select
    vim.ui.select = function(items, opts, on_choice)
      for _, item in ipairs(items) do
        local action = item.action or item[2] -- 0.10 and later: {action, ctx}; before: {id, action}
        if action.title:match(step[3]) then
          chosen = action.title
          rec.had_edit = action.edit ~= nil
          return on_choice(item, nil)
        end
      end
      return on_choice(nil, nil)
    end
    local notify = vim.notify
    vim.notify = function(msg, level)
      table.insert(report.messages, { message = msg, level = level })
    end
    if vim.fn.has("nvim-0.8") == 1 then
      vim.lsp.buf.code_action({ context = params.context })
    else
      vim.lsp.buf.code_action(params.context)  -- 0.7: the argument is the context
    end
    vim.wait(timeout, function()
      return vim.api.nvim_buf_get_changedtick(buf) ~= before
    end, 20)
    vim.ui.select = select
    vim.notify = notify
    rec.chosen = chosen
    rec.applied = vim.api.nvim_buf_get_changedtick(buf) ~= before
    vim.cmd("silent write")
    rec.text = table.concat(vim.fn.readfile(spec.doc), "\n")
    -- the server must have followed the edit (incremental didChange in UTF-16): its
    -- diagnostics of the new text arrive
    vim.wait(timeout, function() return published > seen end, 20)
    rec.republished = published > seen
    rec.diagnostics_after = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      table.insert(rec.diagnostics_after, { lnum = d.lnum, col = d.col, message = d.message })
    end
  end

  run_action(spec.fix, "fix")
  run_action(spec.action, "action")

  -- "Show derivation": an action carrying a command, picked from Neovim's own menu; Neovim
  -- sends workspace/executeCommand and the server answers with window/showDocument (0.8
  -- and later: the derivation opens in a buffer) or window/showMessage (0.7)
  if spec.show and cursor_on(spec.show[1], spec.show[2]) then
    local rec = { titles = {} }
    report.show = rec
    local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
    params.context = { diagnostics = {} }
    local listed = first_result(vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, timeout))
    for _, a in ipairs(listed or {}) do
      table.insert(rec.titles, a.title)
    end
    local before = vim.api.nvim_buf_get_changedtick(buf)
    local seen = #report.messages
    local select = vim.ui.select
    vim.ui.select = function(items, opts, on_choice)
      for _, item in ipairs(items) do
        local action = item.action or item[2]
        if action.title:match(spec.show[3]) then
          rec.chosen = action.title
          rec.had_edit = action.edit ~= nil
          rec.command = action.command and action.command.command
          return on_choice(item, nil)
        end
      end
      return on_choice(nil, nil)
    end
    if vim.fn.has("nvim-0.8") == 1 then
      vim.lsp.buf.code_action({ context = params.context })
    else
      vim.lsp.buf.code_action(params.context)
    end
    vim.wait(timeout, function()
      return #report.messages > seen or vim.api.nvim_get_current_buf() ~= buf
    end, 20)
    vim.ui.select = select
    rec.messages = {}
    for i = seen + 1, #report.messages do
      table.insert(rec.messages, report.messages[i])
    end
    rec.shown_file = vim.api.nvim_buf_get_name(0)
    rec.shown_text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
    rec.shown_filetype = vim.bo.filetype
    rec.doc_unchanged = vim.api.nvim_buf_get_changedtick(buf) == before
    vim.cmd("buffer " .. buf)
  end

  -- another file of the project (the macros file) edited in its own buffer and saved, as a
  -- user does in a split: the document's diagnostics must follow
  -- spec.edit = [file, line, old text, new text]
  if spec.edit then
    local rec = {}
    report.edit = rec
    local seen = published
    vim.cmd("split " .. vim.fn.fnameescape(spec.edit[1]))
    local other = vim.api.nvim_get_current_buf()
    vim.lsp.buf_attach_client(other, client_id)
    local row = vim.api.nvim_buf_get_lines(other, spec.edit[2] - 1, spec.edit[2], true)[1]
    local s, e = row:find(spec.edit[3], 1, true)
    if not s then
      fail(("edit: %q not on line %d of %s"):format(spec.edit[3], spec.edit[2], spec.edit[1]))
    else
      vim.api.nvim_buf_set_text(other, spec.edit[2] - 1, s - 1, spec.edit[2] - 1, e, { spec.edit[4] })
      vim.cmd("silent write")
    end
    vim.cmd("close")
    vim.cmd("buffer " .. buf)
    vim.wait(timeout, function() return published > seen end, 20)
    rec.republished = published > seen
    -- the document's diagnostics of the new macros: wait until they changed
    local before = vim.inspect(report.diagnostics)
    vim.wait(timeout, function()
      local now = {}
      for _, d in ipairs(vim.diagnostic.get(buf)) do
        table.insert(now, d.message)
      end
      return #now ~= #report.diagnostics
    end, 20)
    rec.diagnostics_after = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      table.insert(rec.diagnostics_after, {
        lnum = d.lnum, col = d.col, end_col = d.end_col, message = d.message,
        code = d.code or (d.user_data and d.user_data.lsp.code), severity = d.severity,
      })
    end
  end

  -- another file of the project changed on disk by another program (its buffer, if any,
  -- wiped first), then the document saved (:w): Neovim watches no file for the server, and
  -- a save reads the project again.  spec.disk_edit = [file, old end of a line, new end]
  if spec.disk_edit then
    local rec = {}
    report.disk_edit = rec
    local other = vim.fn.bufnr(spec.disk_edit[1])
    if other > 0 then
      vim.cmd("bwipeout! " .. other)
    end
    local lines = vim.fn.readfile(spec.disk_edit[1])
    local changed = false
    local needle = spec.disk_edit[2]
    for i, row in ipairs(lines) do  -- (the first line that ends with it)
      if not changed and #row >= #needle and row:sub(-#needle) == needle then
        lines[i] = row:sub(1, #row - #needle) .. spec.disk_edit[3]
        changed = true
      end
    end
    if not changed then
      fail(("disk_edit: %q not in %s"):format(spec.disk_edit[2], spec.disk_edit[1]))
    end
    vim.fn.writefile(lines, spec.disk_edit[1])
    local count = #vim.diagnostic.get(buf)
    vim.cmd("buffer " .. buf)
    vim.cmd("silent write")
    vim.wait(timeout, function() return #vim.diagnostic.get(buf) ~= count end, 20)
    rec.diagnostics_after = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      table.insert(rec.diagnostics_after, { lnum = d.lnum, col = d.col, message = d.message })
    end
  end

  -- hover on the inserted result
  if spec.hover_after and cursor_on(spec.hover_after[1], spec.hover_after[2]) then
    local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
    local result = first_result(vim.lsp.buf_request_sync(buf, "textDocument/hover", params, timeout))
    report.hover_after = { sent = params.position, result = result }
  end

  if vim.fn.has("nvim-0.11") == 1 then
    client:stop()
  else
    client.stop()
  end
  vim.wait(timeout, function()
    return exited ~= nil or (not spec.cmd and is_stopped(client_id))
  end, 20)
  report.exit = exited or { stopped = is_stopped(client_id) }
end)
if not ok then
  fail("driver: " .. tostring(err))
end
save()
vim.cmd("qa!")
