-- options.lua — the registry of options: for every public function that takes
-- an options table, each option's name, type, default and meaning. One table
-- drives three things: validation (O.check, called by the C bindings through
-- tfp_checkoptions and by the Lua layer), help() (O.help) and the REPL's
-- completion of option names (O.names_of).
--
-- An entry: {call = "signature", doc = "what it does", opts = {option, ...},
-- hints = {foreign_key = "what to write instead"}}. An option:
--   name, type   "frame" "string" "column" "columns" "number" "integer"
--                "boolean" "table" "values" (vector, table or column name) or
--                a function(v) -> value | nil, message (a custom check)
--   values       allowed strings (matched case-insensitively, kept in this case)
--   default      filled in when the option is absent
--   panel        "id" | "time": the default is the frame's declared panel
--                (option data); with neither, an error: never pooled silently
--   panel_optional  with no panel, the option stays absent (no error)
--   none         the option may be false, meaning "none" (passed on as nil)
--   required, min, max, doc, show (the default as help prints it)
local O = {}

local specs = {}
local fn_names = setmetatable({}, {__mode = "k"})   -- function value -> public name

local tfp_raise   -- tfp._raise, set by O.install

local function usage(fn, fmt, ...)
  tfp_raise("usage", fn, string.format(fmt, ...))
end

-- Levenshtein distance, for "did you mean".
function O.distance(a, b)
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = {[0] = i}
    for j = 1, #b do
      local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

--- The candidate closest to word (case-insensitive), if close enough: at most
-- two edits (one for short words), or a unique prefix of three letters or more.
function O.closest(word, candidates)
  local w = word:lower()
  local best, bestd = nil, math.huge
  local prefixed = {}
  for _, c in ipairs(candidates) do
    local lc = c:lower()
    local d = O.distance(w, lc)
    if d < bestd then best, bestd = c, d end
    if #w >= 3 and (lc:sub(1, #w) == w or w:sub(1, #lc) == lc) then prefixed[#prefixed + 1] = c end
  end
  if best and bestd <= (#w <= 4 and 1 or 2) then return best end
  if #prefixed == 1 then return prefixed[1] end
  return nil
end

local function is_frame(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__name") == "tfp.frame"
end
O.is_frame = is_frame   -- for the modules that take frames as arguments
local function is_vector(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__name") == "tfp.vector"
end

local function kind(v)
  if is_frame(v) then return "frame" end
  if is_vector(v) then return "vector" end
  return type(v)
end

-- A plain copy of a list of strings (no metamethods run later, in C).
local function string_list(fn, name, v)
  if type(v) == "string" then return {v} end
  if type(v) ~= "table" or getmetatable(v) ~= nil then return nil end
  local out, n = {}, 0
  for k in next, v do
    if math.type(k) ~= "integer" or k < 1 then
      usage(fn, "option '%s' must be a list of names; it has the key %s", name, tostring(k))
    end
    n = math.max(n, k)
  end
  for i = 1, n do
    local e = rawget(v, i)
    if type(e) ~= "string" then
      usage(fn, "option '%s': element %d must be a name (a string), got a %s", name, i, kind(e))
    end
    out[i] = e
  end
  return out
end

local TYPE_WORD = {
  frame = "a frame", string = "a string", column = "a column name (a string)",
  columns = "a column name or a list of them", number = "a number", integer = "an integer",
  boolean = "true or false", table = "a table", values = "a vector, a table of numbers or a column name",
}

local function check_value(fn, o, v)
  local name, t = o.name, o.type
  if v == false and o.none then return false end
  local ok
  if type(t) == "function" then
    local r, msg = t(v, fn)
    if r == nil then usage(fn, "option '%s' %s", name, msg) end
    return r
  elseif t == "frame" then ok = is_frame(v)
  elseif t == "string" or t == "column" then ok = type(v) == "string"
  elseif t == "columns" then
    local list = string_list(fn, name, v)
    if list then
      if #list == 0 then usage(fn, "option '%s' lists no column", name) end
      return list
    end
  elseif t == "number" then ok = type(v) == "number"
  elseif t == "integer" then ok = math.type(v) == "integer" or (type(v) == "number" and v == math.floor(v))
  elseif t == "boolean" then ok = type(v) == "boolean"
  elseif t == "table" then ok = type(v) == "table" and not is_frame(v) and not is_vector(v)
  elseif t == "values" then ok = is_vector(v) or type(v) == "table" or type(v) == "string"
  end
  if not ok then
    local got = kind(v)
    usage(fn, "option '%s' must be %s%s, got %s%s", name, TYPE_WORD[t] or t, o.none and " or false" or "",
      got == "string" and "the string " or "a ", got == "string" and ("'" .. v .. "'") or got)
  end
  if o.values then
    local lv = v:lower()
    for _, allowed in ipairs(o.values) do
      if allowed:lower() == lv then return allowed end
    end
    local near = O.closest(v, o.values)
    usage(fn, "option '%s': unknown value '%s'%s (one of: %s)", name, v,
      near and (" (did you mean '" .. near .. "'?)") or "", table.concat(o.values, ", "))
  end
  if t == "number" or t == "integer" then
    if v ~= v then usage(fn, "option '%s' is NaN", name) end
    if (o.min and v < o.min) or (o.max and v > o.max) then
      usage(fn, "option '%s' must be between %s and %s, got %s", name, tostring(o.min or "-inf"),
        tostring(o.max or "inf"), tostring(v))
    end
    if t == "integer" then return math.tointeger(v) end
  end
  return v
end

local function unknown_key(fn, spec, key)
  local hint = spec.hints and spec.hints[key:lower()]
  if hint then usage(fn, "unknown option '%s': %s", key, hint) end
  local names = {}
  for _, o in ipairs(spec.opts) do names[#names + 1] = o.name end
  local near = O.closest(key, names)
  if near then usage(fn, "unknown option '%s' (did you mean '%s'?)", key, near) end
  if #names == 0 then usage(fn, "unknown option '%s': %s takes no options", key, fn) end
  usage(fn, "unknown option '%s' (options: %s)", key, table.concat(names, ", "))
end

-- The frame's declared panel: id and time names, or nil.
local panel_of

--- O.check(fn, opts [, partial]) -> a plain copy of opts, checked, defaults
-- filled in (partial: only the options given, for changes such as m:with).
function O.check(fn, opts, partial)
  local spec = specs[fn]
  if not spec then tfp_raise("internal", fn, "no option registry entry for " .. tostring(fn)) end
  if opts == nil then opts = {} end
  if type(opts) ~= "table" or getmetatable(opts) ~= nil then
    usage(fn, "%s must be a table {name = value, ...}, got a %s", spec.what or "options", kind(opts))
  end
  local out = {}
  for k, v in next, opts do
    if type(k) ~= "string" then
      usage(fn, "options are name = value pairs; the value %s has no name (position %s)",
        type(v) == "string" and ("'" .. v .. "'") or kind(v), tostring(k))
    end
    if spec.open then
      out[k] = spec.open(k, v, fn)
    else
      local o = spec.by[k]
      if not o then unknown_key(fn, spec, k) end
      out[k] = check_value(fn, o, v)
    end
  end
  for _, o in ipairs(spec.opts) do
    if partial then goto continue end
    if out[o.name] == nil then
      if o.panel then
        local id, time = panel_of(out.data)
        local v = o.panel == "id" and id or time
        if not v then
          local kind_word = o.panel == "id" and "unit" or "period"
          if o.panel_optional then goto continue end
          usage(fn, "option '%s' (the %s column) is not given and the frame has no declared panel: "
            .. "pass %s = \"...\" or declare the panel with f:panel(id, time)%s", o.name, kind_word, o.name,
            o.none and (", or " .. o.name .. " = false for " .. o.none) or "")
        end
        out[o.name] = v
      elseif o.default ~= nil then
        out[o.name] = type(o.default) == "table" and {table.unpack(o.default)} or o.default
      elseif o.required then
        usage(fn, "option '%s' (%s) is required", o.name, o.doc)
      end
    end
    if out[o.name] == false and o.none then out[o.name] = nil end
    ::continue::
  end
  if spec.after then spec.after(out, fn) end
  -- Which options the caller gave (defaults are filled in above), so that a
  -- primitive can refuse one that does not apply instead of ignoring it.
  if not partial and not spec.open then
    local given = {}
    for k in next, opts do given[k] = true end
    out._given = given
  end
  return out
end

--- O.names_of(f) -> sorted option names of a registered function value, or nil.
function O.names_of(f)
  local spec = specs[fn_names[f]]
  if not spec then return nil end
  local names = {}
  for _, o in ipairs(spec.opts) do names[#names + 1] = o.name end
  table.sort(names)
  return names
end

--- O.name_of(f) -> the public name of a registered function value, or nil.
function O.name_of(f) return fn_names[f] end

--- O.bind(f, name): f is the function value of public name `name`.
function O.bind(f, name) fn_names[f] = name end

--- O.entry(name) -> the registry entry (read only by convention).
function O.entry(name) return specs[name] end

--- O.functions() -> sorted public names that have entries.
function O.functions()
  local list = {}
  for k in pairs(specs) do list[#list + 1] = k end
  table.sort(list)
  return list
end

local function show_default(o)
  if o.show then return o.show end
  if o.panel then return "the panel's " .. o.panel end
  if o.required then return "required" end
  local d = o.default
  if d == nil then return "none" end
  if type(d) == "string" then return string.format("%q", d) end
  if type(d) == "table" then
    local parts = {}
    for i, s in ipairs(d) do parts[i] = string.format("%q", s) end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  return tostring(d)
end

--- O.help(name) -> the help text of a function: call, doc and options.
function O.help(name)
  local spec = specs[name]
  local lines = {spec.call}
  if spec.doc then lines[#lines + 1] = "  " .. spec.doc:gsub("\n", "\n  ") end
  if #spec.opts > 0 then
    lines[#lines + 1] = "options (name, type, default: meaning):"
    local w = 0
    for _, o in ipairs(spec.opts) do w = math.max(w, #o.name) end
    for _, o in ipairs(spec.opts) do
      local ty = type(o.type) == "string" and o.type or (o.type_word or "see below")
      if o.values then ty = table.concat(o.values, "|") end
      if o.none then ty = ty .. "|false" end
      lines[#lines + 1] = string.format("  %-" .. w .. "s  %s, %s: %s", o.name, ty, show_default(o), o.doc or "")
    end
  end
  if spec.open_doc then lines[#lines + 1] = spec.open_doc end
  return table.concat(lines, "\n")
end

--- O.define(name, entry): add (or replace) a registry entry.
function O.define(name, entry)
  entry.opts = entry.opts or {}
  entry.by = {}
  for _, o in ipairs(entry.opts) do entry.by[o.name] = o end
  specs[name] = entry
end

------------------------------------------------------------------ entries

local data_hint = "the frame is option 'data'"
local common_hints = {df = data_hint, frame = data_hint, dat = data_hint}
local function hints(t)
  for k, v in pairs(common_hints) do if t[k] == nil then t[k] = v end end
  return t
end

local function frame_opt(doc, required)
  return {name = "data", type = "frame", required = required, doc = doc or "the frame holding the columns"}
end

O.define("tfp.read_csv", {
  call = "tfp.read_csv(path [, options]) -> frame",
  doc = "RFC 4180 CSV with a header row; column types inferred unless listed; errors name file:line.",
  opts = {
    {name = "sep", type = "string", default = ",", doc = "the field separator, one character"},
    -- no registry default: the reader's own default differs for string columns
    {name = "na", type = "columns", show = '{"", "NA", "."}',
     doc = "cells read as missing (by default only \"\" in string columns)"},
    {name = "numeric", type = "columns", doc = "columns read as numbers (a text cell is an error)"},
    {name = "string", type = "columns", doc = "columns kept as text, verbatim (\"007\", \"NA\")"},
  },
  hints = hints{delim = "the separator is option 'sep'", delimiter = "the separator is option 'sep'",
    missing = "missing-value codes are option 'na'", na_strings = "missing-value codes are option 'na'"},
})
O.define("tfp.data", {
  call = "tfp.data([name = 'cities' [, options]]) -> frame",
  doc = "a data set compiled into tfpkit (see data/README.md); options as tfp.read_csv.",
  opts = specs["tfp.read_csv"].opts, hints = specs["tfp.read_csv"].hints,
})
local nolabel = "labelled variables read as their labels by default; value_labels = false keeps the codes"
O.define("tfp.read_dta", {
  call = "tfp.read_dta(path [, options]) -> frame",
  doc = "Stata .dta (via ReadStat); variable labels kept (f:label(col)).\n"
    .. "A labelled numeric variable (e.g. region 1 = \"East\") reads as text, its labels.",
  opts = {
    {name = "value_labels", type = "boolean", default = true,
     doc = "labelled numeric variables become their labels; false keeps the numeric codes"},
  },
  hints = {nolabel = nolabel, labels = nolabel, convert_categoricals = nolabel, codes = nolabel},
})

local input_output = {
  {name = "inputs", type = "columns", required = true, doc = "input columns (positive values)"},
  {name = "outputs", type = "columns", required = true, doc = "output columns (positive values)"},
}
local dea_hints = hints{orient = nil, vrs = "returns to scale are option rts = \"vrs\"",
  crs = "returns to scale are option rts = \"crs\"", model = "returns to scale are option rts = \"crs\" | \"vrs\"",
  input = "the orientation is option orientation = \"input\"", output = "the orientation is option orientation = \"output\"",
  x = "inputs are option 'inputs'", y = "outputs are option 'outputs'"}

-- bootstrap = {reps, seed, bandwidth, alpha, threads} (or true: all defaults),
-- checked here so that C reads plain numbers.
local BOOT_FIELDS = {"reps", "seed", "bandwidth", "alpha", "threads"}
local function boot_check(v)
  if v == true then v = {} end
  if type(v) ~= "table" or getmetatable(v) ~= nil then
    return nil, "must be a table {reps = 2000, seed = 1, bandwidth = h, alpha = 0.05, threads = n} or true, got a "
      .. kind(v)
  end
  local out = {}
  for k, x in next, v do
    local known = false
    for _, f in ipairs(BOOT_FIELDS) do known = known or f == k end
    if not known then
      local near = type(k) == "string" and O.closest(k, BOOT_FIELDS)
      return nil, string.format("has no field %s%s (fields: %s)", type(k) == "string" and ("'" .. k .. "'") or tostring(k),
        near and (" (did you mean '" .. near .. "'?)") or "", table.concat(BOOT_FIELDS, ", "))
    end
    if type(x) ~= "number" or x ~= x then
      return nil, string.format("field '%s' must be a number, got %s", k, kind(x))
    end
    out[k] = x
  end
  local function int(k, lo, hi)
    local x = out[k]
    if x ~= nil and (x ~= math.floor(x) or x < lo or x > hi) then
      return string.format("field '%s' must be an integer from %d to %.0f, got %s", k, lo, hi, tostring(x))
    end
  end
  local bad = int("reps", 2, 1e8) or int("seed", 0, 2^53) or int("threads", 1, 256)
  if bad then return nil, bad end
  if out.alpha ~= nil and not (out.alpha > 0 and out.alpha < 1) then
    return nil, "field 'alpha' must be between 0 and 1, got " .. tostring(out.alpha)
  end
  if out.bandwidth ~= nil and not (out.bandwidth > 0 and out.bandwidth < math.huge) then
    return nil, "field 'bandwidth' must be a positive number, got " .. tostring(out.bandwidth)
  end
  return out
end
local boot_doc = "{reps = 2000, seed = 1, bandwidth = h, alpha = 0.05, threads = n}: "

O.define("tfp.dea", {
  call = "tfp.dea{data = f, inputs = {...}, outputs = {...} [, options]} -> scores, info",
  doc = "DEA efficiency scores in DEAP 2.1's convention (1 = on the frontier); LPs by GLPK.",
  opts = {
    frame_opt("the frame of DMUs", true), input_output[1], input_output[2],
    {name = "rts", type = "string", values = {"crs", "vrs", "nirs", "ndrs"}, default = "crs",
     doc = "returns to scale"},
    {name = "orientation", type = "string", values = {"input", "output"}, default = "input",
     doc = "input: radial contraction of inputs; output: expansion of outputs"},
    {name = "reference", type = "frame", doc = "a frame of reference DMUs (default: the data itself)"},
    {name = "peers", type = "boolean", default = false, doc = "return each unit's peers and weights"},
    {name = "slacks", type = "boolean", default = false, doc = "return slacks and targets (second stage)"},
    {name = "scale", type = "boolean", default = false, doc = "return CRS, VRS and scale efficiency"},
    {name = "super", type = "boolean", default = false, doc = "super-efficiency (the unit left out of its frontier)"},
    {name = "warm_start", type = "boolean", default = true, doc = "reuse one LP per technology (faster, same scores)"},
    {name = "threads", type = "integer", min = 1, max = 256, show = "TFP_THREADS or all cores",
     doc = "threads for the LPs (and the bootstrap unless it names its own); results identical for any count"},
    {name = "group", type = "column", doc = "metafrontier: each group's frontier and the pooled one; returns a frame\n"
      .. "    (group, eff_group, eff_meta, tgr = eff_meta / eff_group) and info"},
    {name = "bootstrap", type = boot_check, type_word = "table|true", doc = boot_doc
       .. "Simar-Wilson (1998) bootstrap as Benchmarking's dea.boot (bandwidth: its rule unless given;"
       .. " threads: TFP_THREADS or all cores); returns a frame eff, eff_bc, bias, lower, upper, var"},
  },
  hints = dea_hints,
})

O.define("tfp.malmquist", {
  call = "tfp.malmquist{data = f, inputs = {...}, outputs = {...} [, options]} -> frame, summary",
  doc = "DEAP's Malmquist decomposition (effch techch pech sech tfpch) and the chained levels\n"
    .. "TFP TECH EFF (first year = 1), as DEAP 2.1 computes them.",
  opts = {
    frame_opt("the panel", true),
    {name = "id", type = "column", panel = "id", doc = "the unit column"},
    {name = "time", type = "column", panel = "time", doc = "the period column"},
    input_output[1], input_output[2],
    {name = "orientation", type = "string", values = {"input", "output"}, default = "output",
     doc = "orientation of the distance functions"},
    {name = "reference", type = "string", values = {"contemporaneous", "sequential", "global"},
     default = "contemporaneous", doc = "each period's technology: its own units (DEAP), those of all"
       .. " periods so far, or of all periods (adds crs_te_global, vrs_te_global)"},
    {name = "bootstrap", type = boot_check, type_word = "table|true", doc = boot_doc
       .. "Simar-Wilson (1999) bootstrap of the index and its parts (contemporaneous reference);"
       .. " adds <part>_bc, <part>_lower, <part>_upper; bandwidth n^(-1/6) unless given"},
    {name = "warm_start", type = "boolean", default = true, doc = "reuse one LP per technology"},
    {name = "threads", type = "integer", min = 1, max = 256, show = "TFP_THREADS or all cores",
     doc = "threads for the LPs (and the bootstrap unless it names its own); results identical for any count"},
    {name = "index", type = "string", values = {"malmquist", "ml", "gml", "luenberger"}, default = "malmquist",
     doc = "malmquist: DEAP's radial index; from directional distance functions with bad outputs:\n"
       .. "    ml: Malmquist-Luenberger (columns ml mleffch mltech), gml: global ML (gml ec bpc, Oh 2010),\n"
       .. "    luenberger: the Luenberger indicator (l leffch ltech); levels TFP EFF TECH (products; sums for l)"},
    {name = "bad_outputs", type = "columns", doc = "bad (undesirable) outputs, weakly disposable (ml, gml, luenberger)"},
    {name = "rts", type = "string", values = {"crs", "vrs"}, show = '"crs" (ml, gml, luenberger only)',
     doc = "returns to scale of the directional distance functions"},
  },
  hints = hints{period = "the period column is option 'time'", year = "the period column is option 'time'",
    unit = "the unit column is option 'id'", dmu = "the unit column is option 'id'",
    firm = "the unit column is option 'id'", orient = nil,
    undesirable = "bad outputs are option 'bad_outputs'", bad = "bad outputs are option 'bad_outputs'",
    type = "the index is option index = \"ml\" | \"gml\" | \"luenberger\""},
})

local green_hints = hints{vrs = "returns to scale are option rts = \"vrs\"", crs = "returns to scale are option rts = \"crs\"",
  undesirable = "bad outputs are option 'bad_outputs'", bad = "bad outputs are option 'bad_outputs'",
  x = "inputs are option 'inputs'", y = "outputs are option 'outputs'"}

O.define("tfp.sbm", {
  call = "tfp.sbm{data = f, inputs = {...}, outputs = {...} [, options]} -> scores, info",
  doc = "slacks-based measure of efficiency (Tone 2001; 1 = efficient), with bad outputs (Tone 2004)\n"
    .. "and super-efficiency (Tone 2002: the score is delta >= 1 for SBM-efficient units, rho for the\n"
    .. "others; info.super, info.sbm, info.efficient; infeasible super-SBM LPs are named in a warning).",
  opts = {
    frame_opt("the frame of DMUs", true), input_output[1], input_output[2],
    {name = "bad_outputs", type = "columns", doc = "bad (undesirable) outputs, reduced by the slacks (Tone 2004)"},
    {name = "rts", type = "string", values = {"crs", "vrs"}, default = "crs", doc = "returns to scale"},
    {name = "orientation", type = "string", values = {"nonoriented", "input", "output"}, default = "nonoriented",
     doc = "non-oriented (both slacks), input or output slacks only in the score"},
    {name = "super", type = "boolean", default = false, doc = "super-SBM for the SBM-efficient units (no bad outputs)"},
    {name = "slacks", type = "boolean", default = false, doc = "return info.slacks and info.targets (frames)"},
  },
  hints = green_hints,
})

-- option direction of tfp.ddf: "observed" or {variable = number or column}
local function direction_value(v)
  if type(v) == "string" then
    if v:lower() == "observed" then return "observed" end
    return nil, "must be \"observed\" or a table {variable = number or column name}, got the string '" .. v .. "'"
  end
  if type(v) ~= "table" or getmetatable(v) ~= nil then
    return nil, "must be \"observed\" or a table {variable = number or column name}, got a " .. type(v)
  end
  local out = {}
  for k, g in next, v do
    if type(k) ~= "string" then return nil, "must name its variables: {output = 1, emissions = 1}" end
    if type(g) == "number" then
      if not (g >= 0 and g < math.huge) then
        return nil, "gives " .. k .. " the direction " .. tostring(g) .. " (finite, >= 0)"
      end
    elseif type(g) ~= "string" then
      return nil, "gives " .. k .. " a " .. type(g) .. " (a number or a column name)"
    end
    out[k] = g
  end
  return out
end

O.define("tfp.ddf", {
  call = "tfp.ddf{data = f, inputs = {...}, outputs = {...} [, options]} -> beta, info",
  doc = "directional distance function with weakly disposable bad outputs (Chung, Fare & Grosskopf 1997):\n"
    .. "beta = 0 on the frontier, > 0 inside, < 0 outside another technology; info.eff = 1/(1+beta);\n"
    .. "infeasible LPs (possible against a reference) are NaN and named in a warning.",
  opts = {
    frame_opt("the frame of DMUs", true), input_output[1], input_output[2],
    {name = "bad_outputs", type = "columns", doc = "bad (undesirable) outputs, weakly disposable"},
    {name = "rts", type = "string", values = {"crs", "vrs"}, default = "crs", doc = "returns to scale"},
    {name = "direction", type = direction_value, type_word = "\"observed\"|table", default = "observed",
     doc = "observed: (0, y, b); or {variable = number or column}, others 0 (inputs are contracted)"},
    {name = "reference", type = "frame", doc = "a frame of reference DMUs (default: the data itself)"},
    {name = "group", type = "column", doc = "metafrontier: returns a frame (group, eff_group, eff_meta, tgr,\n"
      .. "    beta_group, beta_meta; eff = 1/(1+beta), tgr = eff_meta/eff_group) and info"},
  },
  hints = green_hints,
  after = function(o, fn)
    if type(o.direction) ~= "table" then return end
    local known = {}
    for _, key in ipairs({"inputs", "outputs", "bad_outputs"}) do
      for _, c in ipairs(type(o[key]) == "table" and o[key] or {o[key]}) do known[c] = true end
    end
    for k in pairs(o.direction) do
      if not known[k] then usage(fn, "option 'direction' names '%s', which is not an input or output", k) end
    end
  end,
})

O.define("tfp.lq", {
  call = "tfp.lq{data = f, sectors = {...}, total = \"emp_total\" [, by = \"year\"]} -> vector",
  doc = "location quotient (location entropy) per row, equation (1) of the paper:\n"
    .. "(sum of the sectors / total) in the row over the same ratio of all rows of its group.\n"
    .. "Missing values: see option missing.",
  opts = {
    frame_opt("the panel", true),
    {name = "sectors", type = "columns", required = true, doc = "employment columns of the sector group"},
    {name = "total", type = "column", required = true, doc = "total employment column"},
    {name = "by", type = "column", panel = "time", none = "one pooled reference over all rows",
     doc = "groups (years) whose totals form the reference ratio; false pools all rows"},
    {name = "missing", type = "string", values = {"row", "unit"}, default = "row",
     doc = "a row missing a sector or the total has no LQ and is left out of the totals:\n"
       .. "    row: of its group only (drops the least); unit: its unit leaves the totals of every group"},
    {name = "id", type = "column", panel = "id", panel_optional = true, show = "the panel's id",
     doc = "the unit column (for missing = 'unit')"},
  },
  hints = hints{group = "the groups are option 'by'", year = "the groups are option 'by'",
    time = "the groups (years) are option 'by'", sector = nil, na = "the missing-value rule is option 'missing'",
    na_rule = "the missing-value rule is option 'missing'"},
})

O.define("tfp.capital_stock", {
  call = "tfp.capital_stock{data = f, investment = \"inv_real\" [, options]} -> vector",
  doc = "perpetual inventory K_t = (1 - delta) K_{t-1} + I_t per unit; first-year stock by\n"
    .. "the Hall-Jones rule I_0 / (g + delta) or from a column.",
  opts = {
    frame_opt("the panel", true),
    {name = "id", type = "column", panel = "id", doc = "the unit column"},
    {name = "time", type = "column", panel = "time", doc = "the period column"},
    {name = "investment", type = "column", required = true, doc = "real investment column"},
    {name = "delta", type = "number", default = 0.096, min = 0, max = 1, doc = "depreciation rate"},
    {name = "initial", type = "string", default = "growth",
     doc = "\"growth\" (Hall-Jones: I_0 / (g + delta)) or a column of initial stocks"},
  },
  hints = hints{depreciation = "the depreciation rate is option 'delta'", rate = "the depreciation rate is option 'delta'",
    dep = "the depreciation rate is option 'delta'", k0 = "the initial stock is option 'initial'",
    year = "the period column is option 'time'", unit = "the unit column is option 'id'"},
})

O.define("tfp.deflate", {
  call = "tfp.deflate(values, index [, options]) -> vector",
  doc = "real values from a price index. chained = true: previous period = 100, chained from\n"
    .. "base; chained = false: fixed base (base period = 100; with base given, rebased).\n"
    .. "values, index, id, time: vectors, tables or column names of option data.",
  opts = {
    frame_opt("the frame whose columns are named"),
    {name = "base", type = "number", doc = "the base period (a year)", show = "none (required when chained)"},
    {name = "chained", type = "boolean", default = true, doc = "the index is chained (previous period = 100)"},
    {name = "id", type = "values", panel = "id", panel_optional = true, show = "the panel's id (with data)", doc = "units"},
    {name = "time", type = "values", panel = "time", panel_optional = true, show = "the panel's time (with data)",
     doc = "periods"},
  },
  hints = hints{base_year = "the base period is option 'base'", year = "the periods are option 'time'",
    fixed = "a fixed-base index is chained = false"},
})

-- Model options: tfp.ivreg, tfp.model and m:with share them.
-- ivreg2's kernels, by their names and Stata's abbreviations.
local KERNELS = {bartlett = "bartlett", bar = "bartlett", parzen = "parzen", par = "parzen",
  truncated = "truncated", tru = "truncated", thanning = "thanning", thann = "thanning",
  ["tukey-hanning"] = "thanning", thamming = "thamming", thamm = "thamming", ["tukey-hamming"] = "thamming",
  qs = "qs", qua = "qs", ["quadratic-spectral"] = "qs", ["quadratic spectral"] = "qs",
  daniell = "daniell", dan = "daniell", danielle = "daniell", tent = "tent", ten = "tent"}
local KERNEL_WORD = "bartlett, parzen, truncated, thanning, thamming, qs, daniell or tent"
local VCE_WORD = "'unadjusted', 'robust', 'kiefer', {cluster = 'var'}, {cluster = {'a', 'b'}}, "
  .. "{hac = 'bartlett', bw = n}, {dkraay = n}"

local function check_kernel(k)
  if type(k) ~= "string" or not KERNELS[k:lower()] then
    return nil, "kernel " .. (type(k) == "string" and ("'" .. k .. "'") or ("a " .. kind(k))) ..
      " is not one of " .. KERNEL_WORD
  end
  return KERNELS[k:lower()]
end

local function check_bw(bw, auto_ok)
  if auto_ok and type(bw) == "string" and bw:lower() == "auto" then return "auto" end
  if type(bw) ~= "number" or bw ~= bw or bw <= 0 or bw == math.huge then
    return nil, "bw must be a positive number" .. (auto_ok and " or 'auto'" or "") .. ", got " ..
      (type(bw) == "number" and tostring(bw) or type(bw) == "string" and string.format("'%s'", bw)
        or ("a " .. kind(bw)))
  end
  return bw
end

-- The table forms: {cluster = 'a' | {'a', 'b'} [, kernel, bw]},
-- {hac = kernel, bw = n | 'auto' [, time = 'var']}, {dkraay = bw [, kernel]},
-- {kiefer = true}; keys checked, values normalised.
local VCE_KEYS = {cluster = {kernel = true, bw = true}, hac = {bw = true, time = true},
  dkraay = {kernel = true}, kiefer = {}}
local function check_vce_table(v)
  local head
  for k in next, v do
    if VCE_KEYS[k] then
      if head then return nil, "table has both '" .. head .. "' and '" .. k .. "': one VCE at a time" end
      head = k
    end
  end
  if not head then
    local k = next(v)
    return nil, "table has key '" .. tostring(k) .. "': a VCE table is " .. VCE_WORD
  end
  for k in next, v do
    if k ~= head and not VCE_KEYS[head][k] then
      return nil, "{" .. head .. " = ...} has key '" .. tostring(k) .. "'; it takes " ..
        (next(VCE_KEYS[head]) and "" or "nothing else") ..
        (VCE_KEYS[head].kernel and "kernel" or "") .. (VCE_KEYS[head].bw and " bw" or "") ..
        (VCE_KEYS[head].time and " time" or "")
    end
  end
  local out, msg = {}
  if head == "cluster" then
    local c = v.cluster
    if type(c) == "table" and getmetatable(c) == nil then
      if #c < 1 or #c > 2 then return nil, "{cluster = ...} takes one or two variables" end
      for i = 1, #c do
        if type(c[i]) ~= "string" then return nil, "{cluster = ...} must name variables (strings)" end
      end
      out.cluster = #c == 1 and c[1] or {c[1], c[2]}
    elseif type(c) == "string" then out.cluster = c
    else return nil, "{cluster = ...} must name a variable (a string) or two" end
    if v.kernel ~= nil or v.bw ~= nil then
      if v.bw == nil then return nil, "{cluster = ..., kernel = ...} needs the bandwidth bw" end
      out.kernel, msg = check_kernel(v.kernel or "bartlett")
      if not out.kernel then return nil, msg end
      out.bw, msg = check_bw(v.bw, true)
      if not out.bw then return nil, msg end
    end
  elseif head == "hac" then
    out.hac, msg = check_kernel(v.hac)
    if not out.hac then return nil, msg end
    if v.bw == nil then return nil, "{hac = ...} needs the bandwidth: bw = n or bw = 'auto'" end
    out.bw, msg = check_bw(v.bw, true)
    if not out.bw then return nil, msg end
    if v.time ~= nil and type(v.time) ~= "string" then return nil, "{hac = ..., time = ...} must name a variable" end
    out.time = v.time
  elseif head == "dkraay" then
    out.dkraay, msg = check_bw(v.dkraay, true)
    if not out.dkraay then return nil, "{dkraay = n}: " .. msg end
    out.kernel, msg = check_kernel(v.kernel or "bartlett")
    if not out.kernel then return nil, msg end
  else
    if v.kiefer ~= true then return nil, "{kiefer = true} is the Kiefer VCE" end
    return "kiefer"
  end
  return out
end

local function check_vce(v)
  if type(v) == "string" then
    local lv = v:lower()
    if lv == "unadjusted" or lv == "robust" or lv == "kiefer" then return lv end
    if lv == "cluster" then return nil, "= 'cluster' needs the variable: vce = {cluster = 'city'}" end
    if lv == "ols" or lv == "iid" or lv == "homoskedastic" then
      return nil, "'" .. v .. "': the iid VCE is vce = 'unadjusted'"
    end
    if lv == "hc1" or lv == "hetero" or lv == "white" then
      return nil, "'" .. v .. "': the heteroskedasticity-robust VCE is vce = 'robust'"
    end
    if lv == "hac" or lv == "newey-west" or lv == "nw" then
      return nil, "'" .. v .. "': HAC is vce = {hac = 'bartlett', bw = n}"
    end
    if lv == "dkraay" or lv == "driscoll-kraay" then return nil, "'" .. v .. "': Driscoll-Kraay is vce = {dkraay = n}" end
    return nil, "'" .. v .. "' is not a VCE: use " .. VCE_WORD
  end
  if type(v) == "table" and getmetatable(v) == nil then return check_vce_table(v) end
  return nil, "must be " .. VCE_WORD .. ", got a " .. kind(v)
end

local model_opts = {
  {name = "method", type = "string", values = {"2sls", "gmm", "liml", "fuller", "kclass"}, default = "2sls",
   doc = "2sls, two-step efficient gmm (ivreg2's gmm2s), liml, fuller (Fuller's LIML,\n"
     .. "    option fuller = a) or kclass (option k)"},
  {name = "fuller", type = "number", min = 0, doc = "Fuller's a for method = 'fuller' (default 1; ivreg2's fuller(a))"},
  {name = "k", type = "number", min = 0, doc = "k of method = 'kclass' (ivreg2's kclass(k))"},
  {name = "coviv", type = "boolean", default = false,
   doc = "LIML/Fuller/k-class VCE at the 2SLS bread X'P_Z X (ivreg2's coviv)"},
  {name = "weights", type = "column", doc = "weight variable (Stata's [aw|fw|pw = w]); its type is wtype"},
  {name = "wtype", type = "string", values = {"aweight", "fweight", "pweight"},
   doc = "type of weights: aweight (default), fweight (counts), pweight (implies robust VCE)"},
  {name = "orthog", type = "columns",
   doc = "instruments whose orthogonality is tested (C statistic, ivreg2's orthog())"},
  {name = "vce", type = check_vce, type_word = "'unadjusted'|'robust'|'kiefer'|table", default = "unadjusted",
   doc = "variance estimator: 'unadjusted', 'robust', {cluster = 'city'}, two-way\n"
     .. "    {cluster = {'city', 'year'}} (with kernel = ..., bw = n: Thompson), HAC\n"
     .. "    {hac = 'bartlett', bw = n, time = 't'} (kernels: bartlett parzen truncated thanning\n"
     .. "    thamming qs daniell tent), Driscoll-Kraay {dkraay = n, kernel = 'bartlett'}, 'kiefer';\n"
     .. "    bw = 'auto' (dkraay = 'auto'): Newey-West (1994) automatic bandwidth as ivreg2's\n"
     .. "    bw(auto), Bartlett, Parzen and qs kernels, one time series (Driscoll-Kraay: period sums)"},
  {name = "small", type = "boolean", default = false, doc = "small-sample corrections, t and F (ivreg2's small)"},
  {name = "split", type = "column", doc = "one fit per value of this variable (e.g. 'region')"},
  {name = "fsplit", type = "column", doc = "as split, plus the full sample first"},
  {name = "split_order", type = "table", doc = "order of the split values (default: first appearance)"},
  {name = "endog", type = "columns", doc = "regressors tested for endogeneity (C statistic; default all endogenous)"},
  {name = "absorb_all", type = "boolean", default = false,
   doc = "absorb every fixed effect by alternating projections (large data)\n"
     .. "    instead of dummies for the second and later ones"},
}
local vce_hint = "the VCE is option vce: vce = 'robust' or vce = {cluster = 'city'}"
local model_hints = hints{
  cluster = vce_hint .. " (Stata's cluster(), fixest's cluster =)",
  vcov = vce_hint .. " (fixest's vcov =)", se = vce_hint .. " (fixest's se =)",
  robust = "the robust VCE is vce = 'robust' (Stata's , robust)",
  dkraay = "Driscoll-Kraay is vce = {dkraay = n} (Stata's dkraay(n))",
  kiefer = "the Kiefer VCE is vce = 'kiefer'",
  kernel = "a kernel goes in the VCE: vce = {hac = 'bartlett', bw = n} or {cluster = ..., kernel = ..., bw = n}",
  bw = "the bandwidth goes in the VCE: vce = {hac = 'bartlett', bw = n}",
  hac = "HAC is vce = {hac = 'bartlett', bw = n}",
  estimator = "the estimator is option method = '2sls' | 'gmm' | 'liml' | 'fuller' | 'kclass'",
  gmm2s = "two-step GMM is method = 'gmm'",
  twostep = "two-step GMM is method = 'gmm'", gmm = "two-step GMM is method = 'gmm'",
  fe = "fixed effects go in the formula: 'y ~ x | city + year | endog ~ inst'",
  absorb = "fixed effects go in the formula: 'y ~ x | city + year | endog ~ inst'",
  weight = "weights are option weights = 'w' (with wtype = 'aweight' | 'fweight' | 'pweight')",
  aweight = "analytic weights are weights = 'w' (wtype = 'aweight', the default)",
  fweight = "frequency weights are weights = 'w', wtype = 'fweight'",
  pweight = "sampling weights are weights = 'w', wtype = 'pweight'",
  liml = "LIML is method = 'liml'", kclass = "k-class is method = 'kclass', k = ...",
  by = "one fit per group is option split = 'region'", subset = "subset the frame first: f:where{...}",
}
local function model_entry(call, doc)
  return {call = call, doc = doc, opts = model_opts, hints = model_hints}
end
O.define("tfp.ivreg", model_entry(
  "tfp.ivreg(f, 'y ~ x1 + x2 | city + year | endog ~ L1.endog + L2.endog' [, options]) -> fit",
  "OLS / 2SLS / two-step GMM like xtivreg2, fe, with KP, Cragg-Donald, Stock-Yogo, Hansen J\n"
    .. "and endogeneity tests. Terms: L.x L2.x F.x D.x log(x) a:b a*b ..set sw() csw()."))
O.define("tfp.model", model_entry(
  "tfp.model(formula [, options]) -> model",
  "a model to fit: m:on(f), m:update('. ~ . - x + z'), m:with{vce = 'robust'}; options as tfp.ivreg."))
O.define("m:with", model_entry("m:with{option = value, ...} -> model",
  "the model with some options changed; options as tfp.ivreg."))

-- Display options shared by every table object (tfp.table, tfp.summary,
-- tfp.correlate): how it is written, whatever made it.
local display_opts = {
  {name = "title", type = "string", doc = "a title line (LaTeX: the caption, its 'Table 1.' left to LaTeX)"},
  {name = "notes", type = function(v)
    if type(v) == "string" or type(v) == "table" then return v end
    return nil, "must be a string or a list of strings, got a " .. kind(v) end,
   type_word = "string|table", doc = "extra footer lines"},
  {name = "format", type = "string", values = {"text", "markdown", "latex", "csv", "html", "rtf"},
   doc = "format of tab:write when the extension does not say"},
  {name = "label", type = "string", show = "tab:<file name> when written with a title",
   doc = "LaTeX \\label of the table"},
  {name = "size", type = "string", values = {"tiny", "scriptsize", "footnotesize", "small", "normalsize"},
   doc = "LaTeX font size of the table (RTF: the font size too)"},
  {name = "landscape", type = "boolean", default = false,
   doc = "LaTeX: on a landscape page (pdflscape); RTF: a landscape page"},
  {name = "resize", type = "boolean", default = false,
   doc = "LaTeX: scaled to the text width (\\resizebox, graphicx)"},
  {name = "bom", type = "boolean", default = false,
   doc = "CSV: start with a UTF-8 byte-order mark (Excel then reads Chinese labels)"},
}
local display_hints = {caption = "the title is option 'title'", fmt = "the format is option 'format'",
  fontsize = "the font size is option size = 'small' (LaTeX sizes)", font_size = "the font size is option 'size'",
  rotate = "a landscape page is landscape = true", scalebox = "scaling to the text width is resize = true",
  resizebox = "scaling to the text width is resize = true", ref = "the LaTeX label is option 'label'",
  encoding = "tables are always UTF-8; bom = true adds a byte-order mark to CSV"}
local function with_display(opts, hints_t)
  local out = {}
  for _, o in ipairs(opts) do out[#out + 1] = o end
  for _, o in ipairs(display_opts) do out[#out + 1] = o end
  for k, v in pairs(display_hints) do if hints_t[k] == nil then hints_t[k] = v end end
  return out, hints(hints_t)
end
O.display_opts = display_opts

local table_opts, table_hints = with_display({
    {name = "keep", type = "columns", doc = "coefficients to show (names or Lua patterns)"},
    {name = "drop", type = "columns", doc = "coefficients to leave out"},
    {name = "order", type = "columns", doc = "coefficients moved to the top"},
    {name = "rename", type = "table", doc = "{old = 'label'}; names sharing a label share a row"},
    {name = "labels", type = "table", doc = "column labels, one per model"},
    {name = "groups", type = "table", doc = "{{'2SLS', 3}, {'IV-GMM', 3}}: headers spanning columns"},
    {name = "stage", type = "integer", min = 1, max = 2, default = 2,
     doc = "1: the first stages (excluded instruments' coefficients, first-stage F, SW F, partial R2),\n"
       .. "    one column per fit and endogenous regressor (fixest's etable(stage = 1), ivreg2's first)"},
    {name = "depvar", type = "boolean", show = "false (true for stage = 1)", doc = "a 'Dependent variable' row"},
    {name = "stat", type = "string", values = {"t", "z", "se"}, default = "t", doc = "in parentheses"},
    {name = "stars", type = function(v)
      if v == false or type(v) == "table" then return v end
      return nil, "must be a list of p levels or false, got a " .. kind(v) end,
     type_word = "table|false", show = "{0.10, 0.05, 0.01}",
     doc = "p levels for *, **, ***; false for none"},
    {name = "digits", type = function(v)
      if type(v) == "number" or type(v) == "table" then return v end
      return nil, "must be an integer or a table such as {3, ROAD = 4}, got a " .. kind(v) end,
     type_word = "integer|table", show = "3", doc = "coefficient decimals; {3, ROAD = 4} sets rows apart"},
    {name = "stat_digits", type = "integer", show = "2 for t/z, digits for se", doc = "decimals in parentheses"},
    {name = "p_digits", type = "integer", show = "3 for KP LM, 4 for Hansen J", doc = "decimals of bracketed p values"},
    {name = "fe_rows", type = function(v)
      if type(v) == "boolean" or type(v) == "table" then return v end
      return nil, "must be true, false or a list of names, got a " .. kind(v) end,
     type_word = "boolean|table", show = "true", doc = "'Year FE'-style Y/N rows; a list chooses and orders them"},
    {name = "yes", type = "string", default = "Y", doc = "the fixed-effect row's yes"},
    {name = "no", type = "string", default = "N", doc = "the fixed-effect row's no"},
    {name = "stats", type = "table", show = "{kp_lm, kp_f, hansen_j, N, r2, N_dropped}",
     doc = "diagnostics rows, by name: kp_lm kp_f cd_f hansen_j sargan endog dm ar_f ar_chi2 F\n"
       .. "    first_F sw_F ap_F first_pr2 shea_pr2 sy_size_10..25 sy_bias_5..30 N N_g N_clust\n"
       .. "    N_dropped N_singletons r2 (within/centered, as xtivreg2) r2_u r2_a rmse method vce,\n"
       .. "    or any numeric field of the fits; {'cd_f', label = 'CD F'}, {'first_F', endog = 'x'}"},
  }, {star = "the star levels are option 'stars'", decimals = "decimals are option 'digits'",
    se = "standard errors in parentheses are stat = 'se'",
    tstat = "t statistics in parentheses are stat = 't'",
    coefs = "coefficients to show are option 'keep'", statistics = "diagnostics rows are option 'stats'",
    first = "the first-stage table is stage = 1 (ivreg2's first, etable's stage = 1)",
    scalars = "diagnostics rows are option 'stats' (esttab's stats())"})

O.define("tfp.table", {
  call = "tfp.table({fit1, fit2, ...} [, options]) -> table",
  doc = "a publication table; :render('text'|'markdown'|'latex'|'csv'|'html'|'rtf'), :write(path)\n"
    .. "(the format from the extension: .txt .md .tex .csv .html .rtf).",
  opts = table_opts, hints = table_hints,
})

local summary_opts, summary_hints = with_display({
  {name = "stats", type = "columns", default = {"N", "mean", "sd", "min", "max"},
   doc = "columns, in order: N mean sd min max median p25 p75 sum"},
  {name = "digits", type = function(v)
    if type(v) == "number" or type(v) == "table" then return v end
    return nil, "must be an integer or a table such as {3, POP = 1}, got a " .. kind(v) end,
   type_word = "integer|table", show = "3", doc = "decimals; {3, POP = 1} sets rows apart"},
  {name = "labels", type = "table", doc = "{var = 'label'}: row labels (the variable name otherwise)"},
}, {statistics = "the columns are option 'stats'", decimals = "decimals are option 'digits'",
    rename = "row labels are option labels = {var = 'label'}", by = "summarise a subset: f:where{...}"})
O.define("tfp.summary", {
  call = "tfp.summary(f, vars [, options]) -> table",
  doc = "descriptive statistics, one row per variable (missing values skipped; sd with n - 1),\n"
    .. "as a table object: print it, :render(format), :write(path) as tfp.table's.",
  opts = summary_opts, hints = summary_hints,
})

local corr_opts, corr_hints = with_display({
  {name = "sample", type = "string", values = {"listwise", "pairwise"}, default = "listwise",
   doc = "listwise: rows with every variable (Stata's correlate); pairwise: each pair's rows (pwcorr)"},
  {name = "digits", type = "integer", default = 3, min = 0, max = 12, doc = "decimals"},
  {name = "stars", type = function(v)
    if v == false or type(v) == "table" then return v end
    return nil, "must be a list of p levels or false, got a " .. kind(v) end,
   type_word = "table|false", show = "false", doc = "p levels for *, **, *** (t test of r = 0)"},
  {name = "labels", type = "table", doc = "{var = 'label'}: row and column labels"},
}, {method = "Pearson correlations only", pw = "pairwise samples are sample = 'pairwise'",
    pairwise = "pairwise samples are sample = 'pairwise'", star = "the star levels are option 'stars'"})
O.define("tfp.correlate", {
  call = "tfp.correlate(f, vars [, options]) -> table",
  doc = "Pearson correlations of the variables (lower triangle), as a table object.",
  opts = corr_opts, hints = corr_hints,
})

O.define("tfp.controls", {
  call = "tfp.controls{name = 'x1 + x2', ...}; tfp.controls() lists the sets",
  doc = "control sets used in formulas as ..name (e.g. ..controls).", what = "control sets",
  opts = {},
  open_doc = "  keys: any name (letters, digits, _), each a string of formula terms",
  open = function(k, v, fn)
    if not k:match("^[%a_][%w_]*$") then
      usage(fn, "control-set name '%s' must be letters, digits and _ (used as ..%s)", k, k)
    end
    if type(v) ~= "string" then
      usage(fn, "control set '%s' must be a string of formula terms ('x1 + x2'), got a %s", k, kind(v))
    end
    return v
  end,
})

function O.install(tfp)
  tfp_raise = tfp._raise
  panel_of = function(f)
    if not is_frame(f) then return nil end
    return tfp._panel(f)
  end
  for _, name in ipairs(O.functions()) do
    local short = name:match("^tfp%.(.+)$")
    if short and type(tfp[short]) == "function" then O.bind(tfp[short], name) end
  end
end

return O
