-- Stands in for Neovim 0.11's vim.lsp.config, vim.lsp.enable and vim.lsp.inlay_hint on an
-- older Neovim (0.7 here), so that the README's 0.11 snippet runs as printed: loaded with
-- --cmd before the init file, it keeps what the snippet configures and, as 0.11 does, starts
-- the configured client for a buffer of one of its filetypes, in the folder of the nearest
-- root marker (else the file's own), through vim.lsp.start_client.  It checks the values
-- (the command runs, the filetypes are Neovim's, the settings arrive), not Neovim 0.11.
if vim.fn.has("nvim-0.11") == 1 then
  return
end

local shim = { configs = {}, enabled = {}, inlay_hint = nil, unknown_keys = {} }
_G.texgrad_shim = shim

-- the fields of vim.lsp.Config (0.11) that this stand-in understands or can ignore
local known = {
  cmd = true, filetypes = true, root_markers = true, root_dir = true, settings = true,
  init_options = true, cmd_env = true, cmd_cwd = true, capabilities = true, handlers = true,
  on_attach = true, on_init = true, on_exit = true, before_init = true, name = true,
  workspace_required = true, reuse_client = true, flags = true, offset_encoding = true,
  workspace_folders = true, detached = true, get_language_id = true, trace = true,
}

vim.lsp.config = setmetatable({}, {
  __call = function(_, name, config)
    for key in pairs(config) do
      if not known[key] then
        table.insert(shim.unknown_keys, key)
      end
    end
    shim.configs[name] = vim.tbl_deep_extend("force", shim.configs[name] or {}, config)
  end,
})

local function root_of(path, markers)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  for _, marker in ipairs(markers or {}) do
    local found = vim.fn.finddir(marker, dir .. ";")
    if found == "" then
      found = vim.fn.findfile(marker, dir .. ";")
    end
    if found ~= "" then
      return (vim.fn.fnamemodify(found, ":p:h"):gsub("/%.git/?$", ""))
    end
  end
  return dir
end

local clients = {} -- root -> client id, one client per root as vim.lsp.enable keeps

vim.lsp.enable = function(name, enable)
  if enable == false then
    return
  end
  table.insert(shim.enabled, name)
  local config = shim.configs[name]
  vim.api.nvim_create_autocmd("FileType", {
    pattern = config.filetypes,
    callback = function(args)
      local root = root_of(vim.api.nvim_buf_get_name(args.buf), config.root_markers)
      local id = clients[root]
      if id == nil or vim.lsp.client_is_stopped(id) then
        id = vim.lsp.start_client({
          name = name,
          cmd = config.cmd,
          cmd_env = config.cmd_env,
          root_dir = root,
          settings = config.settings,
          init_options = config.init_options,
        })
        clients[root] = id
      end
      if id then
        vim.lsp.buf_attach_client(args.buf, id)
      end
    end,
  })
end

vim.lsp.inlay_hint = {
  enable = function(on)
    shim.inlay_hint = on
  end,
}
