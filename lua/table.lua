-- tfp.table: publication tables of fitted models (esttab / fixest::etable style).
--
--   local T = require "tfp.table"          -- the host also installs tfp.table
--   local tab = T.new({m1, m2, {label = "East", m3}}, {keep = {"SAGG.*"}})
--   print(tab)                             -- aligned text (tostring)
--   tab:render("latex")                    -- "text" | "markdown" | "latex" | "csv"
--   tab:write("out/table1.tex")            -- format from the extension, atomic
--   T(models, opts) is T.new(models, opts); T.render(tab, fmt), T.write(tab, path [, fmt]).
--
-- models: a list (or an indexable collection) of fits, each a fit or a pair
-- {label = "...", fit}; a single fit is a list of one. A fit is a plain table as
-- the IV estimator makes it: names (ordered list), coef/se/t/p keyed by name, N,
-- N_g, N_dropped, r2, kp_lm, kp_lm_p, kp_f, cd_f, hansen_j, hansen_j_p,
-- hansen_df, depvar, method, vce, fe (list of fixed-effect names), label.
--
-- opts (all optional):
--   keep, drop, order  names or Lua patterns of coefficients (see below)
--   rename             {old = "label"}; names sharing a label share a row
--   labels             column labels, one per model (default: pair label, the
--                      fit's label, then "(1)", "(2)", ...)
--   groups             {{"2SLS", 3}, {"IV-GMM", 3}}: headers spanning columns
--   title, notes       a title line; extra footer lines (string or list)
--   depvar = false     a "Dependent variable" row
--   stat = "t"         in parentheses: "t", "z" (the same ratio, named z) or "se"
--   stars = {0.10, 0.05, 0.01}   levels for *, **, ***; false for none
--   digits = 3         coefficient decimals; {3, ROAD = 4} sets rows apart
--   stat_digits        decimals in parentheses (2 for t/z, digits for se)
--   p_digits           decimals of bracketed p values (default: 3 for the KP LM
--                      test, 4 for Hansen J, as the paper prints them)
--   fe_rows = true     "Year FE"-style Y/N rows; a list of names to choose/order
--   yes = "Y", no = "N"
--   stats              diagnostics rows, in order, from: kp_lm kp_f cd_f
--                      hansen_j N N_g N_dropped r2 method vce; an entry may be
--                      {"cd_f", label = "..."}. Default: kp_lm kp_f hansen_j N
--                      r2 N_dropped, the paper's rows plus N dropped.
--   format             default format of tab:write when the extension is unknown
--
-- Conventions, stated because they are choices:
-- * Stars come from the model's own p (never recomputed here): a level earns its
--   star when p < level, strictly, as in Stata ("* p<0.10"). Default levels are the
--   paper's 10/5/1%; esttab's default is 5/1/0.1%.
-- * keep/drop/order entries match original coefficient names, exactly or as a Lua
--   pattern matched against the whole name ("SAGG.*"); an entry that matches no
--   coefficient is an error, so a misspelling cannot silently empty a table.
--   order moves the matched names to the top, the rest keep their order.
-- * Numbers are fixed-point; "-0.000" prints as "0.000", infinities as Inf.
-- * Missing values (nil or NaN) print blank; a diagnostics row blank in every model
--   is left out unless the caller listed it in opts.stats. A p value in brackets
--   is shown only under its statistic; Hansen J is blank when hansen_df == 0
--   (an exactly identified model has no overidentification test).
-- * CSV (RFC 4180, CRLF) holds the body only: one header row (group and column
--   label joined as "group: label"), no title or footer. Markdown also joins
--   groups into its single header row.
-- * tab:write(path [, format]): format argument, else the extension (.txt .md
--   .tex .csv), else opts.format. Written to path .. ".tmp-XXXX" and renamed.
local O = require "tfp.options"
local M = {}

local concat, insert, sort = table.concat, table.insert, table.sort
local fmt, rep = string.format, string.rep

local FORMATS = {text = true, markdown = true, latex = true, csv = true}
local EXT_FORMAT = {txt = "text", md = "markdown", tex = "latex", csv = "csv"}

-- Diagnostics rows the paper prints, and a few more. p: the field printed in
-- brackets below the statistic. kind: "num", "int" or "str".
local STATS = {
  kp_lm = {label = "Kleibergen-Paap rk LM", kind = "num", digits = 3,
           p = "kp_lm_p", p_digits = 3},
  kp_f = {label = "Kleibergen-Paap rk Wald F", kind = "num", digits = 3},
  cd_f = {label = "Cragg-Donald Wald F", kind = "num", digits = 3},
  hansen_j = {label = "Hansen J", kind = "num", digits = 3,
              p = "hansen_j_p", p_digits = 4, needs_df = "hansen_df"},
  N = {label = "N", kind = "int"},
  N_g = {label = "Groups", kind = "int"},
  N_dropped = {label = "N dropped", kind = "int"},
  r2 = {label = "R2", latex = "$R^2$", kind = "num", digits = 3},
  method = {label = "Estimator", kind = "str",
            values = {["2sls"] = "2SLS", gmm = "IV-GMM", ols = "OLS"}},
  vce = {label = "VCE", kind = "str"},
}
local STAT_KEYS = {"kp_lm", "kp_f", "cd_f", "hansen_j", "N", "N_g", "N_dropped",
                   "r2", "method", "vce"}
local DEFAULT_STATS = {"kp_lm", "kp_f", "hansen_j", "N", "r2", "N_dropped"}

local STAT_WORD = {t = "t statistics", z = "z statistics", se = "Standard errors"}

-- Misuse is a usage tfp.error located at the caller's line (tfp._raise walks
-- past this module's frames); install() sets raise.
local raise = function(_, fn, msg) error(fn .. ": " .. msg, 0) end
-- The atomic writer is C (tfp._write_file); without tfpkit there is none.
local write_file = function(path) raise("io", "tfp.table", "cannot write '" .. path .. "': needs tfpkit") end
local function fail(msg)
  raise("usage", "tfp.table", msg)
end

local function isnan(x) return x ~= x end

-- The value of a numeric field, nil when missing (nil or NaN); anything else
-- that is not a number is the caller's bug and is named.
local function numfield(v, what)
  if v == nil then return nil end
  if type(v) ~= "number" then
    fail(fmt("%s is a %s, expected a number", what, type(v)))
  end
  if isnan(v) then return nil end
  return v
end

-- Fixed-point formatting that never prints "-0.000" or "nan".
local function fmtnum(x, digits)
  if x == math.huge then return "Inf" end
  if x == -math.huge then return "-Inf" end
  local s = fmt("%." .. digits .. "f", x)
  if s:match("^%-[0.]+$") then s = s:sub(2) end
  return s
end

local function fmtint(x)
  local i = math.tointeger(x)
  if i then return fmt("%d", i) end
  return fmtnum(x, 3)
end

-- "0.10" for 0.1, "0.001" for 0.001: two decimals unless more are needed.
local function fmtlevel(x)
  for d = 2, 6 do
    local s = fmt("%." .. d .. "f", x)
    if tonumber(s) == x then return s end
  end
  return fmt("%g", x)
end

-- Display width of a string: UTF-8 characters where valid, bytes otherwise.
local function width(s)
  return utf8.len(s) or #s
end

local function lpad(s, w) return rep(" ", w - width(s)) .. s end
local function rpad(s, w) return s .. rep(" ", w - width(s)) end
local function center(s, w)
  local gap = w - width(s)
  local left = gap // 2
  return rep(" ", left) .. s .. rep(" ", gap - left)
end

-- A cell is {core = "0.050", suffix = "**", stars = n, kind = "num"|"str"}.
local BLANK = {core = "", suffix = "", stars = 0, kind = "str"}

local function strcell(s) return {core = s, suffix = "", stars = 0, kind = "str"} end

---------------------------------------------------------------- options

local function checklist(opts, key)
  local v = opts[key]
  if v == nil then return nil end
  if type(v) == "string" then return {v} end
  if type(v) ~= "table" then
    fail(fmt("opts.%s must be a name or a list of names, got a %s", key, type(v)))
  end
  for i, e in ipairs(v) do
    if type(e) ~= "string" then
      fail(fmt("opts.%s[%d] must be a string, got a %s", key, i, type(e)))
    end
  end
  return v
end

-- Does entry (a name or a Lua pattern) match the whole of name?
local function matches(entry, name, key)
  if entry == name then return true end
  local pat = entry
  if pat:sub(1, 1) == "^" then pat = pat:sub(2) end
  if pat:sub(-1) == "$" and pat:sub(-2) ~= "%$" then pat = pat:sub(1, -2) end
  local ok, res = pcall(string.find, name, "^" .. pat .. "$")
  if not ok then
    fail(fmt("bad pattern '%s' in opts.%s: %s", entry, key, tostring(res)))
  end
  return res ~= nil
end

local function check_levels(stars)
  if stars == nil then return {0.10, 0.05, 0.01} end
  if stars == false then return {} end
  if type(stars) ~= "table" then
    fail("opts.stars must be a list of p levels or false, got a " .. type(stars))
  end
  local levels = {}
  for i, v in ipairs(stars) do
    if type(v) ~= "number" or not (v > 0 and v < 1) then
      fail(fmt("opts.stars[%d] must be a p level between 0 and 1, got %s",
               i, tostring(v)))
    end
    levels[i] = v
  end
  sort(levels, function(a, b) return a > b end)
  for i = 2, #levels do
    if levels[i] == levels[i - 1] then
      fail(fmt("opts.stars lists the level %s twice", fmtlevel(levels[i])))
    end
  end
  return levels
end

local function check_digits(v, key, default)
  if v == nil then return default end
  if math.type(v) ~= "integer" or v < 0 or v > 12 then
    fail(fmt("opts.%s must be an integer from 0 to 12, got %s", key, tostring(v)))
  end
  return v
end

---------------------------------------------------------------- models

-- t[k], or nil when t's __index refuses the key (a strict collection of fits).
local function peek(t, k)
  local ok, v = pcall(function() return t[k] end)
  if ok then return v end
  return nil
end

-- Each entry is a fit, or {label = "...", fit}. Returns fits and labels.
local function unpack_models(models, opts)
  if type(models) ~= "table" then
    fail("expected a list of fitted models, got a " .. type(models))
  end
  if peek(models, "names") ~= nil then models = {models} end -- a single fit
  if #models == 0 then fail("no models to tabulate") end
  local fits, labels = {}, {}
  for i, m in ipairs(models) do
    local label
    if type(m) == "table" and peek(m, "names") == nil and type(m[1]) == "table" then
      label, m = m.label, m[1]
    end
    if type(m) ~= "table" then
      fail(fmt("model %d is a %s, expected a fitted model", i, type(m)))
    end
    if type(m.names) ~= "table" then
      fail(fmt("model %d has no 'names' list of coefficients", i))
    end
    if type(m.coef) ~= "table" then
      fail(fmt("model %d has no 'coef' table", i))
    end
    local seen = {}
    for j, name in ipairs(m.names) do
      if type(name) ~= "string" then
        fail(fmt("model %d: names[%d] is a %s, expected a string", i, j, type(name)))
      end
      if seen[name] then fail(fmt("model %d names '%s' twice", i, name)) end
      seen[name] = true
    end
    if label == nil and type(peek(m, "label")) == "string" then label = m.label end
    -- fits of a split are labelled by their sample (East, Central, ...)
    if label == nil and type(peek(m, "sample")) == "string" and m.sample ~= "Full" then label = m.sample end
    fits[i], labels[i] = m, label ~= nil and tostring(label) or fmt("(%d)", i)
  end
  if opts.labels ~= nil then
    if type(opts.labels) ~= "table" or #opts.labels ~= #fits then
      fail(fmt("opts.labels must list one label per model (%d)", #fits))
    end
    for i = 1, #fits do labels[i] = tostring(opts.labels[i]) end
  end
  return fits, labels
end

---------------------------------------------------------------- rows

-- Coefficient rows: union of names in order of first appearance, then
-- keep/drop/order, then rename (possibly merging rows).
local function coef_names(fits, opts)
  local names, seen = {}, {}
  for _, m in ipairs(fits) do
    for _, name in ipairs(m.names) do
      if not seen[name] then seen[name] = true; insert(names, name) end
    end
  end
  local function select(key, keep_matching)
    local entries = checklist(opts, key)
    if not entries then return end
    local out = {}
    local hit = {}
    for _, name in ipairs(names) do
      local any = false
      for k, e in ipairs(entries) do
        if matches(e, name, key) then any = true; hit[k] = true end
      end
      if any == keep_matching then insert(out, name) end
    end
    for k, e in ipairs(entries) do
      if not hit[k] then fail(fmt("opts.%s entry '%s' matches no coefficient", key, e)) end
    end
    names = out
  end
  select("keep", true)
  select("drop", false)
  local order = checklist(opts, "order")
  if order then
    local out, placed = {}, {}
    for _, e in ipairs(order) do
      local any = false
      for _, name in ipairs(names) do
        if matches(e, name, "order") then
          any = true
          if not placed[name] then placed[name] = true; insert(out, name) end
        end
      end
      if not any then fail(fmt("opts.order entry '%s' matches no coefficient", e)) end
    end
    for _, name in ipairs(names) do
      if not placed[name] then insert(out, name) end
    end
    names = out
  end
  local rename = opts.rename or {}
  if type(rename) ~= "table" then fail("opts.rename must be a table of old = new names") end
  local rows, byrow = {}, {}
  for _, name in ipairs(names) do
    local label = rename[name]
    if label == nil then label = name end
    if type(label) ~= "string" then
      fail(fmt("opts.rename['%s'] must be a string", name))
    end
    local row = byrow[label]
    if not row then
      row = {label = label, names = {}}
      byrow[label] = row
      insert(rows, row)
    end
    insert(row.names, name)
  end
  return rows
end

local function stars_of(p, levels)
  local n = 0
  for _, level in ipairs(levels) do
    if p < level then n = n + 1 end
  end
  return n
end

-- The coefficient and its statistic for one model and one (possibly merged) row.
local function coef_cells(m, i, row, o)
  local name
  for _, n in ipairs(row.names) do
    if m.coef[n] ~= nil then
      if name then
        fail(fmt("model %d has both '%s' and '%s', renamed to the same row '%s'",
                 i, name, n, row.label))
      end
      name = n
    end
  end
  if not name then return BLANK, BLANK end
  local what = fmt("model %d coefficient '%s'", i, name)
  local b = numfield(m.coef[name], what .. ": coef")
  if not b then return BLANK, BLANK end
  local function field(key)
    local t = m[key]
    if t == nil then return nil end
    if type(t) ~= "table" then fail(fmt("model %d: '%s' is a %s, expected a table", i, key, type(t))) end
    return numfield(t[name], what .. ": " .. key)
  end
  local digits = o.digits
  if o.row_digits[name] then digits = o.row_digits[name]
  elseif o.row_digits[row.label] then digits = o.row_digits[row.label] end
  local nstars = 0
  local p = field("p")
  if p then
    if p < 0 or p > 1 then fail(fmt("%s: p = %s is not a probability", what, tostring(p))) end
    nstars = stars_of(p, o.levels)
  end
  local coef = {core = fmtnum(b, digits), suffix = rep("*", nstars), stars = nstars, kind = "num"}
  local s
  if o.stat == "se" then
    s = field("se")
  else
    s = field("t")
    if s == nil then
      local se = field("se")
      if se and se > 0 then s = b / se end
    end
  end
  if not s then return coef, BLANK end
  return coef, {core = "(" .. fmtnum(s, o.stat_digits), suffix = ")", stars = 0, kind = "num"}
end

local function check_stats(opts)
  local list, explicit = opts.stats, true
  if list == nil then list, explicit = DEFAULT_STATS, false end
  if type(list) ~= "table" then fail("opts.stats must be a list of statistic names") end
  local out = {}
  for i, e in ipairs(list) do
    local key, label = e, nil
    if type(e) == "table" then key, label = e[1], e.label end
    local spec = type(key) == "string" and STATS[key]
    if not spec then
      fail(fmt("opts.stats[%d]: unknown statistic '%s' (known: %s)",
               i, tostring(key), concat(STAT_KEYS, ", ")))
    end
    insert(out, {key = key, spec = spec, label = label})
  end
  return out, explicit
end

local function stat_cells(fits, st, o)
  local spec, key = st.spec, st.key
  local main, brackets = {}, {}
  local any_main, any_p = false, false
  for i, m in ipairs(fits) do
    local v = m[key]
    local cell, pcell = BLANK, BLANK
    if spec.kind == "str" then
      if v ~= nil then
        v = tostring(v)
        cell = strcell(spec.values and spec.values[v] or v)
      end
    else
      v = numfield(v, fmt("model %d: %s", i, key))
      -- Exactly identified (no overidentifying restrictions): J is no test.
      if spec.needs_df and m[spec.needs_df] == 0 then v = nil end
      if v then
        local s = spec.kind == "int" and fmtint(v) or fmtnum(v, spec.digits)
        cell = {core = s, suffix = "", stars = 0, kind = "num"}
      end
      if spec.p then
        local p = numfield(m[spec.p], fmt("model %d: %s", i, spec.p))
        if p and v then
          pcell = {core = "[" .. fmtnum(p, o.p_digits or spec.p_digits), suffix = "]",
                   stars = 0, kind = "num"}
          any_p = true
        end
      end
    end
    if cell ~= BLANK then any_main = true end
    main[i], brackets[i] = cell, pcell
  end
  return main, brackets, any_main, any_p
end

local function fe_label(name)
  return name:sub(1, 1):upper() .. name:sub(2) .. " FE"
end

---------------------------------------------------------------- building

-- A table is {title, columns = labels, groups, sections = {{rows}}, footer},
-- each row {label = "...", cells = {...}, latex_label = optional}.
local Table = {__name = "tfp.table"}
Table.__index = Table

function M.new(models, opts)
  opts = O.check("tfp.table", opts)
  local fits, labels = unpack_models(models, opts)
  local nm = #fits

  local stat = opts.stat or "t"
  if not STAT_WORD[stat] then
    fail(fmt("opts.stat must be 't', 'z' or 'se', got '%s'", tostring(stat)))
  end
  local o = {
    stat = stat,
    levels = check_levels(opts.stars),
    row_digits = {},
  }
  if type(opts.digits) == "table" then
    o.digits = check_digits(opts.digits[1], "digits[1]", 3)
    for k, v in pairs(opts.digits) do
      if k ~= 1 then o.row_digits[k] = check_digits(v, "digits." .. tostring(k), 3) end
    end
  else
    o.digits = check_digits(opts.digits, "digits", 3)
  end
  o.stat_digits = check_digits(opts.stat_digits, "stat_digits", stat == "se" and o.digits or 2)
  o.p_digits = check_digits(opts.p_digits, "p_digits", nil)
  if opts.format ~= nil and not FORMATS[opts.format] then
    fail(fmt("opts.format: unknown format '%s' (text, markdown, latex or csv)",
             tostring(opts.format)))
  end

  local head = {}
  if opts.depvar then
    local cells = {}
    for i, m in ipairs(fits) do
      cells[i] = m.depvar ~= nil and strcell(tostring(m.depvar)) or BLANK
    end
    insert(head, {label = "Dependent variable", cells = cells})
  end

  local coefs = {}
  for _, row in ipairs(coef_names(fits, opts)) do
    local c, s = {}, {}
    for i, m in ipairs(fits) do c[i], s[i] = coef_cells(m, i, row, o) end
    insert(coefs, {label = row.label, cells = c})
    insert(coefs, {label = "", cells = s})
  end

  local fes = {}
  local fe_rows = opts.fe_rows
  if fe_rows == nil then fe_rows = true end
  if fe_rows then
    local fe_names
    if type(fe_rows) == "table" then
      fe_names = fe_rows
    else
      fe_names = {}
      local seen = {}
      for i, m in ipairs(fits) do
        if m.fe ~= nil and type(m.fe) ~= "table" then
          fail(fmt("model %d: 'fe' must be a list of fixed-effect names", i))
        end
        for _, f in ipairs(m.fe or {}) do
          if not seen[f] then seen[f] = true; insert(fe_names, f) end
        end
      end
    end
    local yes, no = opts.yes or "Y", opts.no or "N"
    for _, f in ipairs(fe_names) do
      local cells = {}
      for i, m in ipairs(fits) do
        local has = false
        for _, g in ipairs(m.fe or {}) do if g == f then has = true end end
        cells[i] = strcell(has and yes or no)
      end
      insert(fes, {label = fe_label(tostring(f)), cells = cells})
    end
  end

  local stats, explicit = check_stats(opts)
  local diag, any_brackets = {}, false
  for _, st in ipairs(stats) do
    local main, brackets, any_main, any_p = stat_cells(fits, st, o)
    if any_main or any_p or explicit then
      insert(diag, {label = st.label or st.spec.label,
                    latex_label = not st.label and st.spec.latex or nil, cells = main})
      if any_p then
        insert(diag, {label = "", cells = brackets})
        any_brackets = true
      end
    end
  end

  local groups
  if opts.groups ~= nil then
    groups = {}
    local total = 0
    if type(opts.groups) ~= "table" then fail("opts.groups must be a list of {label, span}") end
    for i, g in ipairs(opts.groups) do
      local span = type(g) == "table" and g[2]
      if not span or g[1] == nil or math.type(span) ~= "integer" or span < 1 then
        fail(fmt("opts.groups[%d] must be {label, span}", i))
      end
      insert(groups, {label = tostring(g[1]), first = total + 1, span = span})
      total = total + span
    end
    if total ~= nm then
      fail(fmt("opts.groups span %d columns, but there are %d models", total, nm))
    end
  end

  local footer = {STAT_WORD[stat] .. " in parentheses"}
  if #o.levels > 0 then
    local parts = {}
    for k, level in ipairs(o.levels) do
      parts[k] = rep("*", k) .. " p<" .. fmtlevel(level)
    end
    insert(footer, concat(parts, ", "))
  end
  if any_brackets then insert(footer, "p values in brackets") end
  if opts.notes ~= nil then
    local notes = type(opts.notes) == "table" and opts.notes or {opts.notes}
    for _, n in ipairs(notes) do insert(footer, tostring(n)) end
  end

  local tab = {
    title = opts.title and tostring(opts.title) or nil,
    columns = labels,
    groups = groups,
    head = head,
    sections = {},
    footer = footer,
    stat = stat,
    levels = o.levels,
    format = opts.format,
  }
  for _, sec in ipairs({coefs, fes, diag}) do
    if #sec > 0 then insert(tab.sections, sec) end
  end
  return setmetatable(tab, Table)
end

---------------------------------------------------------------- renderers

local function rstrip(s) return (s:gsub("%s+$", "")) end

local function render_text(tab)
  local nc = #tab.columns
  local all = {}
  for _, r in ipairs(tab.head) do insert(all, r) end
  for _, sec in ipairs(tab.sections) do
    for _, r in ipairs(sec) do insert(all, r) end
  end
  -- Per column: numbers right-aligned on their core, stars/brackets after.
  local w0 = 0
  for _, r in ipairs(all) do w0 = math.max(w0, width(r.label)) end
  local core, suf, wid = {}, {}, {}
  for j = 1, nc do
    core[j], suf[j] = 0, 0
    for _, r in ipairs(all) do
      local c = r.cells[j]
      if c.kind == "num" then
        core[j] = math.max(core[j], width(c.core))
        suf[j] = math.max(suf[j], width(c.suffix))
      end
    end
    wid[j] = math.max(core[j] + suf[j], width(tab.columns[j]))
    for _, r in ipairs(all) do
      local c = r.cells[j]
      if c.kind == "str" then wid[j] = math.max(wid[j], width(c.core)) end
    end
  end
  -- A group label wider than its columns widens the last of them.
  for _, g in ipairs(tab.groups or {}) do
    local span = 2 * (g.span - 1)
    for j = g.first, g.first + g.span - 1 do span = span + wid[j] end
    local extra = width(g.label) - span
    if extra > 0 then
      local last = g.first + g.span - 1
      wid[last] = wid[last] + extra
    end
  end
  local total = w0
  for j = 1, nc do total = total + 2 + wid[j] end

  local function cellstr(c, j)
    if c.kind == "num" then
      return center(lpad(c.core, core[j]) .. rpad(c.suffix, suf[j]), wid[j])
    end
    return center(c.core, wid[j])
  end
  local function line(label, strs)
    return rstrip(rpad(label, w0) .. "  " .. concat(strs, "  "))
  end

  local out = {}
  if tab.title then insert(out, tab.title) end
  insert(out, rep("=", total))
  if tab.groups then
    local strs = {}
    for _, g in ipairs(tab.groups) do
      local span = 2 * (g.span - 1)
      for j = g.first, g.first + g.span - 1 do span = span + wid[j] end
      insert(strs, center(g.label, span))
    end
    insert(out, line("", strs))
  end
  local hs = {}
  for j = 1, nc do hs[j] = center(tab.columns[j], wid[j]) end
  insert(out, line("", hs))
  for _, r in ipairs(tab.head) do
    local strs = {}
    for j = 1, nc do strs[j] = cellstr(r.cells[j], j) end
    insert(out, line(r.label, strs))
  end
  for _, sec in ipairs(tab.sections) do
    insert(out, rep("-", total))
    for _, r in ipairs(sec) do
      local strs = {}
      for j = 1, nc do strs[j] = cellstr(r.cells[j], j) end
      insert(out, line(r.label, strs))
    end
  end
  insert(out, rep("=", total))
  for _, f in ipairs(tab.footer) do insert(out, f) end
  return concat(out, "\n")
end

-- Group and column label joined, for formats with a single header row.
local function flat_columns(tab)
  local cols = {}
  for j, c in ipairs(tab.columns) do cols[j] = c end
  for _, g in ipairs(tab.groups or {}) do
    for j = g.first, g.first + g.span - 1 do cols[j] = g.label .. ": " .. cols[j] end
  end
  return cols
end

local function md_escape(s)
  return (s:gsub("[\\`*_|]", "\\%0"))
end

local function render_markdown(tab)
  local out = {}
  if tab.title then insert(out, md_escape(tab.title)); insert(out, "") end
  local function row(label, cells)
    local parts = {md_escape(label)}
    for j, c in ipairs(cells) do parts[j + 1] = md_escape(c) end
    return "| " .. concat(parts, " | ") .. " |"
  end
  local cols = flat_columns(tab)
  insert(out, row("", cols))
  local sep = {":---"}
  for j = 1, #cols do sep[j + 1] = ":---:" end
  insert(out, "| " .. concat(sep, " | ") .. " |")
  local function add(r)
    local cells = {}
    for j, c in ipairs(r.cells) do cells[j] = c.core .. c.suffix end
    insert(out, row(r.label, cells))
  end
  for _, r in ipairs(tab.head) do add(r) end
  for _, sec in ipairs(tab.sections) do
    for _, r in ipairs(sec) do add(r) end
  end
  for _, f in ipairs(tab.footer) do
    insert(out, "")
    insert(out, md_escape(f))
  end
  return concat(out, "\n")
end

local LATEX_ESCAPE = {
  ["\\"] = "\\textbackslash{}", ["&"] = "\\&", ["%"] = "\\%", ["$"] = "\\$",
  ["#"] = "\\#", ["_"] = "\\_", ["{"] = "\\{", ["}"] = "\\}",
  ["~"] = "\\textasciitilde{}", ["^"] = "\\textasciicircum{}",
}
local function tex_escape(s)
  return (s:gsub("[\\&%%%$#_{}~^]", LATEX_ESCAPE))
end

local function tex_footer(tab, f, k)
  -- The statistic and star lines get math-mode symbols; notes are escaped text.
  if k == 1 then
    if tab.stat == "se" then return tex_escape(f) end
    return "$" .. tab.stat .. "$ statistics in parentheses"
  end
  if k == 2 and #tab.levels > 0 then
    local parts = {}
    for i, level in ipairs(tab.levels) do
      parts[i] = "$^{" .. rep("*", i) .. "}$ $p<" .. fmtlevel(level) .. "$"
    end
    return concat(parts, ", ")
  end
  if f == "p values in brackets" then return "$p$ values in brackets" end
  return tex_escape(f)
end

local function render_latex(tab)
  local nc = #tab.columns
  local out = {}
  if tab.title then
    insert(out, "\\begin{table}[htbp]\\centering")
    insert(out, "\\caption{" .. tex_escape(tab.title) .. "}")
  end
  insert(out, "\\begin{tabular}{l" .. rep("c", nc) .. "}")
  insert(out, "\\toprule")
  local function row(label, cells)
    return label .. " & " .. concat(cells, " & ") .. " \\\\"
  end
  if tab.groups then
    local cells, rules = {}, {}
    for _, g in ipairs(tab.groups) do
      local l = tex_escape(g.label)
      insert(cells, g.span == 1 and l or fmt("\\multicolumn{%d}{c}{%s}", g.span, l))
      insert(rules, fmt("\\cmidrule(lr){%d-%d}", g.first + 1, g.first + g.span))
    end
    insert(out, row("", cells))
    insert(out, concat(rules))
  end
  local hs = {}
  for j, c in ipairs(tab.columns) do hs[j] = tex_escape(c) end
  insert(out, row("", hs))
  local function add(r)
    local cells = {}
    for j, c in ipairs(r.cells) do
      local s = tex_escape(c.core)
      if c.stars > 0 then s = s .. "$^{" .. c.suffix .. "}$"
      else s = s .. tex_escape(c.suffix) end
      cells[j] = s
    end
    insert(out, row(r.latex_label or tex_escape(r.label), cells))
  end
  for _, r in ipairs(tab.head) do add(r) end
  for _, sec in ipairs(tab.sections) do
    insert(out, "\\midrule")
    for _, r in ipairs(sec) do add(r) end
  end
  insert(out, "\\bottomrule")
  for k, f in ipairs(tab.footer) do
    insert(out, fmt("\\multicolumn{%d}{l}{\\footnotesize %s} \\\\", nc + 1,
                    tex_footer(tab, f, k)))
  end
  insert(out, "\\end{tabular}")
  if tab.title then insert(out, "\\end{table}") end
  return concat(out, "\n")
end

local function csv_field(s)
  if s:find('[",\r\n]') then return '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local function render_csv(tab)
  local out = {}
  local function row(label, cells)
    local parts = {csv_field(label)}
    for j, c in ipairs(cells) do parts[j + 1] = csv_field(c) end
    insert(out, concat(parts, ","))
  end
  row("", flat_columns(tab))
  local function add(r)
    local cells = {}
    for j, c in ipairs(r.cells) do cells[j] = c.core .. c.suffix end
    row(r.label, cells)
  end
  for _, r in ipairs(tab.head) do add(r) end
  for _, sec in ipairs(tab.sections) do
    for _, r in ipairs(sec) do add(r) end
  end
  return concat(out, "\r\n")
end

local RENDER = {text = render_text, markdown = render_markdown,
                latex = render_latex, csv = render_csv}

function M.render(tab, format)
  if getmetatable(tab) ~= Table then
    fail("render expects a table made by tfp.table, got a " .. type(tab))
  end
  format = format or "text"
  local r = RENDER[format]
  if not r then
    fail(fmt("unknown format '%s' (text, markdown, latex or csv)", tostring(format)))
  end
  return r(tab)
end

Table.render = M.render
Table.__tostring = function(tab) return render_text(tab) end

-- Written by tfpkit's one atomic writer (core/atomic_write.h, tfp._write_file;
-- install sets write_file): a temporary file made by mkstemp beside path,
-- renamed over it, so readers never see half a table; links are followed,
-- the mode of an existing file is kept, a FIFO or device is refused, and on
-- failure the old file stays and the temporary file is removed.
function M.write(tab, path, format)
  if getmetatable(tab) ~= Table then
    fail("write expects a table made by tfp.table, got a " .. type(tab))
  end
  if type(path) ~= "string" or path == "" then
    fail("write expects a file path, got " .. tostring(path))
  end
  if format == nil then
    local ext = path:match("%.([%w]+)$")
    format = ext and EXT_FORMAT[ext:lower()] or tab.format
    if not format then
      fail(fmt("cannot tell the format of '%s' from its extension "
               .. "(.txt, .md, .tex, .csv); give one", path))
    end
  end
  if not RENDER[format] then
    fail(fmt("unknown format '%s' for '%s' (text, markdown, latex or csv)",
             tostring(format), path))
  end
  local body = RENDER[format](tab) .. (format == "csv" and "\r\n" or "\n")
  return write_file(path, body, "tfp.table")
end

Table.write = M.write

Table.render, Table.write = M.render, M.write

-- The host calls install(tfp) so that tfp.table(models, opts) is M.new(models, opts)
-- (a function, so that help() lists it).
function M.install(tfp)
  raise = tfp._raise
  write_file = tfp._write_file
  tfp.table = function(models, opts) return M.new(models, opts) end
end

-- require("tfp.table")(models, opts) is M.new(models, opts) too.
return setmetatable(M, {__call = function(_, models, opts) return M.new(models, opts) end})
