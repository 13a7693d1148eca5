-- table_write.lua — module "tfp.table_write": a table object written to a
-- file, tab:write(path [, format]). The format is the argument, else the
-- file's extension (.txt .md .tex .csv .html .rtf), else the table's format
-- option. The file holds the rendered table and a final newline; a LaTeX
-- table with a title and no label option is labelled tab:<file name>; a CSV
-- file starts with a byte-order mark when the bom option is set.
--
-- Written by tfpkit's one atomic writer (core/atomic_write.h, tfp._write_file;
-- install sets write_file): a temporary file made by mkstemp beside path,
-- renamed over it, so readers never see half a table; links are followed,
-- the mode of an existing file is kept, a FIFO or device is refused, and on
-- failure the old file stays and the temporary file is removed.
local R = require "tfp.table_render"
local W = {}

local fmt = string.format

local EXT_FORMAT = {txt = "text", md = "markdown", tex = "latex", csv = "csv", html = "html",
                    htm = "html", rtf = "rtf"}

-- Misuse is a usage tfp.error of tfp.table; install() sets raise and the writer.
local raise = function(_, fn, msg) error(fn .. ": " .. msg, 0) end
-- The atomic writer is C (tfp._write_file); without tfpkit there is none.
local write_file = function(path) raise("io", "tfp.table", "cannot write '" .. path .. "': needs tfpkit") end
local function fail(msg)
  raise("usage", "tfp.table", msg)
end

--- W.write(tab, path [, format]): tab, a table object, written to path; returns path.
function W.write(tab, path, format)
  if type(path) ~= "string" or path == "" then
    fail("write expects a file path, got " .. tostring(path))
  end
  if format == nil then
    local ext = path:match("%.([%w]+)$")
    format = ext and EXT_FORMAT[ext:lower()] or tab.format
    if not format then
      fail(fmt("cannot tell the format of '%s' from its extension "
               .. "(.txt, .md, .tex, .csv, .html, .rtf); give one", path))
    end
  end
  local render = R.formats[format]
  if not render then
    fail(fmt("unknown format '%s' for '%s' (%s)", tostring(format), path, R.FORMAT_LIST))
  end
  local body
  if format == "latex" then
    local stem = path:match("([^/]+)$"):gsub("%.[^.]*$", "")
    local label = tab.title and ("tab:" .. stem:gsub("[^%w%-_:.]", "-")) or nil
    body = render(tab, label) .. "\n"
  elseif format == "csv" then
    body = (tab.bom and "\239\187\191" or "") .. render(tab) .. "\r\n"
  else
    body = render(tab) .. "\n"
  end
  return write_file(path, body, "tfp.table")
end

function W.install(tfp)
  raise = tfp._raise
  write_file = tfp._write_file
end

return W
