-- cli.lua — the command line of the study scripts (scripts/paper.lua,
-- green.lua, curve.lua, iv_inference.lua): their --name VALUE arguments,
-- the column map and missing-value codes, the panel they read, and their
-- progress lines.
local M = {}

--- M.usage(script, msg): raise a usage error from script.
function M.usage(script, msg) tfp._raise("usage", script, msg) end

--- M.parse(args, script, how) -> opts. how.values: the names taking a value
-- ("data", "lq-missing": opts.data, opts.lq_missing); how.flags: names that
-- end the arguments (opts[name] = true); how.defaults: the opts before
-- parsing; how.expected: the list an unknown argument's message gives.
function M.parse(args, script, how)
  local takes, ends = {}, {}
  for _, name in ipairs(how.values) do takes["--" .. name] = true end
  for _, name in ipairs(how.flags or {}) do ends["--" .. name] = true end
  local opts = {}
  for k, v in pairs(how.defaults or {}) do opts[k] = v end
  local i = 1
  while args and args[i] do
    local a = args[i]
    if takes[a] then
      opts[a:sub(3):gsub("-", "_")] = args[i + 1] or M.usage(script, a .. " needs a value")
      i = i + 2
    elseif ends[a] then
      opts[a:sub(3):gsub("-", "_")] = true
      return opts
    else
      M.usage(script, "unknown argument '" .. a .. "' (expected " .. how.expected .. ")")
    end
  end
  return opts
end

--- M.na(codes) -> the missing-value codes "", "NA", "." and those of the
-- comma-separated string codes, or nil when codes is nil.
function M.na(codes)
  if not codes then return nil end
  local na = {"", "NA", "."}
  for code in (codes .. ","):gmatch("([^,]*),") do na[#na + 1] = code end
  return na
end

--- M.map(opts, script) -> the table the Lua file opts.map returns, or nil.
function M.map(opts, script)
  if not opts.map then return nil end
  local map = dofile(opts.map)
  if type(map) ~= "table" then
    M.usage(script, opts.map .. " must return a table {role = \"your column\", ...} "
      .. "(scripts/paper.lua --map-template prints one)")
  end
  return map
end

--- M.read(opts, na) -> the frame of opts.data (.dta or CSV with the codes
-- na missing), or the embedded panel without --data.
function M.read(opts, na)
  if not opts.data then return tfp.data("cities") end
  if opts.data:match("%.dta$") then return tfp.read_dta(opts.data) end
  return tfp.read_csv(opts.data, {na = na})
end

--- M.stepper(clock) -> step(what), which writes "[  1.23s] what" to stderr,
-- the CPU seconds since clock.
function M.stepper(clock)
  return function(what) io.stderr:write(string.format("[%5.2fs] %s\n", os.clock() - clock, what)) end
end

return M
