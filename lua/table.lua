-- tfp.table: publication tables of fitted models (esttab / fixest::etable style).
--
--   local T = require "tfp.table"          -- the host also installs tfp.table
--   local tab = T.new({m1, m2, {label = "East", m3}}, {keep = {"SAGG.*"}})
--   print(tab)                             -- aligned text (tostring)
--   tab:render("latex")                    -- "text" | "markdown" | "latex" | "csv" | "html" | "rtf"
--   tab:write("out/table1.tex")            -- format from the extension, atomic
--   T(models, opts) is T.new(models, opts); T.render(tab, fmt), T.write(tab, path [, fmt]).
--
-- models: a list (or an indexable collection) of fits, each a fit or a pair
-- {label = "...", fit}; a single fit is a list of one. A fit is a plain table as
-- the IV estimator makes it: names (ordered list), coef/se/t/p keyed by name, N,
-- N_g, N_dropped, r2, kp_lm, kp_lm_p, kp_f, cd_f, hansen_j, hansen_j_p,
-- hansen_df, depvar, method, vce, fe (list of fixed-effect names), label, and
-- first = {{name, inst_names, coef, se, F, F_p, sw_F, pr2, ...}} (stage = 1).
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
--   stats              diagnostics rows, in order, by name (STAT_KEYS below, or
--                      any numeric field of the fits); an entry may be
--                      {"cd_f", label = "..."} or {"first_F", endog = "x"}.
--                      Default: kp_lm kp_f hansen_j N r2 N_dropped, the paper's
--                      rows plus N dropped (stage = 1: first_F sw_F first_pr2 N).
--   stage = 2          1: the first stages (see first_stage_fits)
--   format             default format of tab:write when the extension is unknown
--   label, size, landscape, resize   LaTeX: \label, font size, pdflscape page,
--                      \resizebox to the text width; bom: CSV byte-order mark
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
-- * Rendering (lua/table_render.lua): CSV (RFC 4180, CRLF, UTF-8) has one
--   header row (group and column label joined as "group: label"), the body,
--   a blank line and the notes, no title; Markdown also joins groups into
--   its single header row.
-- * tab:write(path [, format]) (lua/table_write.lua): format argument, else
--   the extension (.txt .md .tex .csv .html .rtf), else opts.format; atomic
--   (tfp._write_file).
--
-- This module is the table's model: the rows, columns and statistics made
-- from the fits, and the table object; table_render.lua turns the object
-- into text of each format, table_write.lua puts it in a file.
local O = require "tfp.options"
local D = require "tfp.dist"
local Fitted = require "tfp.fitted"
local R = require "tfp.table_render"
local W = require "tfp.table_write"
local M = {}

local concat, insert, sort = table.concat, table.insert, table.sort
local fmt, rep = string.format, string.rep

-- Misuse is a usage tfp.error located at the caller's line (tfp._raise walks
-- past this module's frames); install() sets raise.
local raise = function(_, fn, msg) error(fn .. ": " .. msg, 0) end
local function fail(msg)
  raise("usage", "tfp.table", msg)
end

-- Diagnostics rows: every statistic a fit carries, by name. get(m, st, i)
-- reads the value (default: the field of that name), p the field printed in
-- brackets below it. kind: "num", "int" or "str". First-stage statistics
-- (first_F, sw_F, ...) read the fit's first stage of the endogenous
-- regressor named by {"first_F", endog = "x"}, or its only one.
local function first_stage(m, st, i)
  local first = m.first
  if type(first) ~= "table" or #first == 0 then return nil end
  if st.endog then
    for _, fs in ipairs(first) do
      if fs.name == st.endog then return fs end
    end
    return nil
  end
  if #first > 1 then
    local names = {}
    for k, fs in ipairs(first) do names[k] = tostring(fs.name) end
    fail(fmt("model %d has %d endogenous regressors (%s): name one, as {'%s', endog = '%s'}",
             i, #first, concat(names, ", "), st.key, names[1]))
  end
  return first[1]
end
local function from_first(key)
  return function(m, st, i)
    local fs = first_stage(m, st, i)
    return fs and fs[key]
  end
end
local function stock_yogo(label)
  return function(m)
    for _, cv in ipairs(type(m.stock_yogo) == "table" and m.stock_yogo or {}) do
      if cv.label == label then return cv.value end
    end
    return nil
  end
end

local STATS = {
  kp_lm = {label = "Kleibergen-Paap rk LM", kind = "num", digits = 3,
           p = "kp_lm_p", p_digits = 3},
  kp_f = {label = "Kleibergen-Paap rk Wald F", kind = "num", digits = 3},
  cd_f = {label = "Cragg-Donald Wald F", kind = "num", digits = 3},
  hansen_j = {label = "Hansen J", kind = "num", digits = 3,
              p = "hansen_j_p", p_digits = 4, needs_df = "hansen_df"},
  sargan = {label = "Sargan", kind = "num", digits = 3,
            p = "sargan_p", p_digits = 4, needs_df = "hansen_df"},
  endog = {label = "Endogeneity (C statistic)", kind = "num", digits = 3,
           p = "endog_p", p_digits = 4},
  dm = {label = "Davidson-MacKinnon", kind = "num", digits = 3, p = "dm_p", p_digits = 4},
  ar_f = {label = "Anderson-Rubin Wald F", kind = "num", digits = 3, p = "ar_f_p", p_digits = 4},
  ar_chi2 = {label = "Anderson-Rubin Wald chi2", latex = "Anderson-Rubin Wald $\\chi^2$",
             kind = "num", digits = 3, p = "ar_chi2_p", p_digits = 4},
  F = {label = "F (all slopes)", kind = "num", digits = 3, p = "F_p", p_digits = 4},
  first_F = {label = "First-stage F", kind = "num", digits = 3, get = from_first("F"),
             get_p = from_first("F_p"), p_digits = 4},
  sw_F = {label = "Sanderson-Windmeijer F", kind = "num", digits = 3, get = from_first("sw_F"),
          get_p = from_first("sw_p"), p_digits = 4},
  ap_F = {label = "Angrist-Pischke F", kind = "num", digits = 3, get = from_first("ap_F"),
          get_p = from_first("ap_p"), p_digits = 4},
  first_pr2 = {label = "First-stage partial R2", latex = "First-stage partial $R^2$", kind = "num",
               digits = 3, get = from_first("pr2")},
  shea_pr2 = {label = "Shea partial R2", latex = "Shea partial $R^2$", kind = "num", digits = 3,
              get = from_first("shea_pr2")},
  sy_size_10 = {label = "Stock-Yogo 10% max. IV size", kind = "num", digits = 2,
                get = stock_yogo("10% maximal IV size")},
  sy_size_15 = {label = "Stock-Yogo 15% max. IV size", kind = "num", digits = 2,
                get = stock_yogo("15% maximal IV size")},
  sy_size_20 = {label = "Stock-Yogo 20% max. IV size", kind = "num", digits = 2,
                get = stock_yogo("20% maximal IV size")},
  sy_size_25 = {label = "Stock-Yogo 25% max. IV size", kind = "num", digits = 2,
                get = stock_yogo("25% maximal IV size")},
  sy_bias_5 = {label = "Stock-Yogo 5% max. IV bias", kind = "num", digits = 2,
               get = stock_yogo("5% maximal IV relative bias")},
  sy_bias_10 = {label = "Stock-Yogo 10% max. IV bias", kind = "num", digits = 2,
                get = stock_yogo("10% maximal IV relative bias")},
  sy_bias_20 = {label = "Stock-Yogo 20% max. IV bias", kind = "num", digits = 2,
                get = stock_yogo("20% maximal IV relative bias")},
  sy_bias_30 = {label = "Stock-Yogo 30% max. IV bias", kind = "num", digits = 2,
                get = stock_yogo("30% maximal IV relative bias")},
  N = {label = "N", kind = "int"},
  N_g = {label = "Groups", kind = "int"},
  N_clust = {label = "Clusters", kind = "int"},
  N_dropped = {label = "N dropped", kind = "int"},
  N_singletons = {label = "Singletons dropped", kind = "int"},
  -- The label of r2 depends on the fits (see r2_label).
  r2 = {label = "R2", latex = "$R^2$", kind = "num", digits = 3},
  r2_u = {label = "Uncentered R2", latex = "Uncentered $R^2$", kind = "num", digits = 3},
  r2_a = {label = "Adjusted R2", latex = "Adjusted $R^2$", kind = "num", digits = 3},
  rmse = {label = "Root MSE", kind = "num", digits = 3},
  method = {label = "Estimator", kind = "str",
            values = {["2sls"] = "2SLS", gmm = "IV-GMM", ols = "OLS"}},
  vce = {label = "VCE", kind = "str", get = function(m) return m.vce_label or m.vce end},
  ar_set = {label = "Anderson-Rubin 95% set", kind = "str",
            get = function(m) return m.ar_set and require("tfp.model").ar_set_text(m.ar_set) end},
  ar_set_chi2 = {label = "Anderson-Rubin 95% set (chi2)", latex = "Anderson-Rubin 95\\% set ($\\chi^2$)",
                 kind = "str", get = function(m) return m.ar_set_chi2 and require("tfp.model").ar_set_text(m.ar_set_chi2) end},
  eff_f = {label = "Effective F (Montiel Olea-Pflueger)", kind = "num", digits = 3},
  eff_f_cv = {label = "Effective F critical value (tau = 10%)", kind = "num", digits = 2},
}
local STAT_KEYS = {"kp_lm", "kp_f", "cd_f", "hansen_j", "sargan", "endog", "dm", "ar_f", "ar_chi2", "F",
                   "first_F", "sw_F", "ap_F", "first_pr2", "shea_pr2",
                   "sy_size_10", "sy_size_15", "sy_size_20", "sy_size_25",
                   "sy_bias_5", "sy_bias_10", "sy_bias_20", "sy_bias_30",
                   "N", "N_g", "N_clust", "N_dropped", "N_singletons", "r2", "r2_u", "r2_a", "rmse",
                   "method", "vce", "ar_set", "ar_set_chi2", "eff_f", "eff_f_cv"}
local DEFAULT_STATS = {"kp_lm", "kp_f", "hansen_j", "N", "r2", "N_dropped"}
local DEFAULT_STATS_FIRST = {"first_F", "sw_F", "first_pr2", "N"}
M.STAT_KEYS = STAT_KEYS

-- xtivreg2's R2 is the centered R2 of the model it fits: with fixed effects
-- absorbed (y and X demeaned within units), the within R2. The row says which.
local function r2_label(fits)
  local with_fe, without = 0, 0
  for _, m in ipairs(fits) do
    if type(m.fe) == "table" and #m.fe > 0 then with_fe = with_fe + 1 else without = without + 1 end
  end
  if without == 0 then return "Within R2", "Within $R^2$" end
  if with_fe == 0 then return "Centered R2", "Centered $R^2$" end
  return "R2", "$R^2$",
    "R2: within R2 (of the demeaned model) with fixed effects, centered R2 without"
end

local STAT_WORD = {t = "t statistics", z = "z statistics", se = "Standard errors"}

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

local tex_escape = R.tex_escape
M.tex_escape = tex_escape

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
  local hit, err = Fitted.matches(entry, name)
  if hit == nil then fail(fmt("bad pattern '%s' in opts.%s: %s", entry, key, err)) end
  return hit
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

local peek = Fitted.peek

-- Each entry is a fit, or {label = "...", fit}. Returns fits and labels.
local function unpack_models(models, opts)
  if type(models) ~= "table" then
    fail("expected a list of fitted models, got a " .. type(models))
  end
  models = Fitted.list(models)
  if #models == 0 then fail("no models to tabulate") end
  local fits, labels = {}, {}
  for i, e in ipairs(models) do
    local m, label = Fitted.entry(e)
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
    fits[i], labels[i] = m, Fitted.label(m, label, i)
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

-- Any other numeric field of the fits may be a row too, labelled by its name.
local function check_stats(opts, fits, default)
  local list, explicit = opts.stats, true
  if list == nil then list, explicit = default, false end
  if type(list) ~= "table" then fail("opts.stats must be a list of statistic names") end
  local out = {}
  for i, e in ipairs(list) do
    local key, label, endog = e, nil, nil
    if type(e) == "table" then
      key, label, endog = e[1], e.label, e.endog
      for k in pairs(e) do
        if k ~= 1 and k ~= "label" and k ~= "endog" then
          fail(fmt("opts.stats[%d]: unknown field '%s' (an entry is {'name', label = '...', endog = '...'})",
                   i, tostring(k)))
        end
      end
      if label ~= nil and type(label) ~= "string" then fail(fmt("opts.stats[%d].label must be a string", i)) end
      if endog ~= nil and type(endog) ~= "string" then fail(fmt("opts.stats[%d].endog must be a string", i)) end
    end
    local spec = type(key) == "string" and STATS[key]
    if not spec and type(key) == "string" then
      for _, m in ipairs(fits) do
        if type(peek(m, key)) == "number" then
          spec = {label = key, kind = "num", digits = 3}
          break
        end
      end
    end
    if not spec then
      fail(fmt("opts.stats[%d]: unknown statistic '%s' (known: %s; or any numeric field of the fits)",
               i, tostring(key), concat(STAT_KEYS, ", ")))
    end
    insert(out, {key = key, spec = spec, label = label, endog = endog})
  end
  return out, explicit
end

local function stat_cells(fits, st, o)
  local spec, key = st.spec, st.key
  local main, brackets = {}, {}
  local any_main, any_p = false, false
  for i, m in ipairs(fits) do
    local v
    if spec.get then v = spec.get(m, st, i) else v = peek(m, key) end
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
      if spec.p or spec.get_p then
        local p
        if spec.get_p then p = spec.get_p(m, st, i) else p = m[spec.p] end
        p = numfield(p, fmt("model %d: %s", i, spec.p or key .. " p"))
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

-- stage = 1: each fit becomes one column per endogenous regressor, a fit of
-- its first stage: the coefficients of the excluded instruments (the first
-- stages the estimator reports), t from the model's VCE, p from the normal
-- (or, with small, t with the first stage's residual df), the first-stage
-- statistics, and the fit's N, groups and fixed effects.
local function first_stage_fits(fits, labels)
  local out, out_labels = {}, {}
  for i, m in ipairs(fits) do
    local first = m.first
    if type(first) ~= "table" or #first == 0 then
      fail(fmt("model %d has no first stage (stage = 1 needs IV fits with endogenous regressors)", i))
    end
    for _, fs in ipairs(first) do
      if type(fs) ~= "table" or type(fs.inst_names) ~= "table" or type(fs.coef) ~= "table" then
        fail(fmt("model %d: its first stage has no inst_names and coef", i))
      end
      local t, p = {}, {}
      for _, name in ipairs(fs.inst_names) do
        local b, se = fs.coef[name], fs.se and fs.se[name]
        if type(b) == "number" and type(se) == "number" and se > 0 then
          t[name] = b / se
          local df = m.small and fs.F_df_r or math.huge
          p[name] = D.t_tail2(type(df) == "number" and df or math.huge, t[name])
        end
      end
      insert(out, {names = fs.inst_names, coef = fs.coef, se = fs.se, t = t, p = p,
                   N = m.N, N_g = m.N_g, N_clust = m.N_clust, fe = m.fe, depvar = fs.name,
                   method = m.method, vce = m.vce, small = m.small, first = {fs},
                   rmse = fs.rmse})
      insert(out_labels, labels[i])
    end
  end
  return out, out_labels
end

local function fe_label(name)
  return name:sub(1, 1):upper() .. name:sub(2) .. " FE"
end

---------------------------------------------------------------- building

-- A table is {title, columns = labels, groups, head = {rows}, sections =
-- {{rows}}, footer = {{text =, tex =}}, and display options (label, size,
-- landscape, resize, bom, format)}, each row {label = "...", cells = {...},
-- latex_label = optional}; a cell {core, suffix, stars, kind}. tfp.summary
-- and tfp.correlate make the same objects (M.make), so every format renders
-- them all.
local Table = {__name = "tfp.table"}
Table.__index = Table

-- Every string of a table must be valid UTF-8: each format writes UTF-8 (RTF
-- as \u escapes), so a label in another encoding (GBK) would come out broken.
local function check_utf8(s, what)
  if not utf8.len(s) then
    fail(fmt("%s is not valid UTF-8 text (convert the data to UTF-8, e.g. with iconv -f GBK): %q",
             what, s))
  end
  return s
end

--- M.make(spec, opts, fn): a table object from rows already made. spec: title,
-- columns, groups, head, sections, footer (strings or {text =, tex =});
-- opts: the display options (label, size, landscape, resize, bom, format),
-- checked by the caller's registry entry.
function M.make(spec, opts)
  opts = opts or {}
  local footer = {}
  for _, f in ipairs(spec.footer or {}) do
    if type(f) == "string" then f = {text = f} end
    insert(footer, {text = check_utf8(f.text, "a note"), tex = f.tex})
  end
  local tab = {
    title = spec.title and check_utf8(tostring(spec.title), "the title") or nil,
    columns = spec.columns, groups = spec.groups, head = spec.head or {},
    sections = {}, footer = footer,
    label = opts.label, size = opts.size, landscape = opts.landscape or false,
    resize = opts.resize or false, bom = opts.bom or false, format = opts.format,
  }
  for j, c in ipairs(tab.columns) do check_utf8(c, "column label " .. j) end
  for _, g in ipairs(tab.groups or {}) do check_utf8(g.label, "a group label") end
  for _, sec in ipairs(spec.sections) do
    if #sec > 0 then
      for _, r in ipairs(sec) do
        check_utf8(r.label, "a row label")
        for _, c in ipairs(r.cells) do check_utf8(c.core, "a cell") end
      end
      insert(tab.sections, sec)
    end
  end
  for _, r in ipairs(tab.head) do
    check_utf8(r.label, "a row label")
    for _, c in ipairs(r.cells) do check_utf8(c.core, "a cell") end
  end
  return setmetatable(tab, Table)
end

function M.new(models, opts)
  opts = O.check("tfp.table", opts)
  local fits, labels = unpack_models(models, opts)
  local stage = opts.stage or 2
  if stage == 1 then fits, labels = first_stage_fits(fits, labels) end
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
  if opts.format ~= nil and not R.formats[opts.format] then
    fail(fmt("opts.format: unknown format '%s' (%s)", tostring(opts.format), R.FORMAT_LIST))
  end

  local head = {}
  local depvar = opts.depvar
  if depvar == nil then depvar = stage == 1 end
  if depvar then
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

  local stats, explicit = check_stats(opts, fits, stage == 1 and DEFAULT_STATS_FIRST or DEFAULT_STATS)
  local diag, any_brackets, notes = {}, false, {}
  for _, st in ipairs(stats) do
    local main, brackets, any_main, any_p = stat_cells(fits, st, o)
    if any_main or any_p or explicit then
      local label, latex = st.spec.label, st.spec.latex
      if st.key == "r2" and st.spec == STATS.r2 then
        local note
        label, latex, note = r2_label(fits)
        if note and not st.label then insert(notes, {text = note, tex = tex_escape(note):gsub("R2", "$R^2$")}) end
      end
      if st.endog and not st.label then label = label .. " (" .. st.endog .. ")"; latex = nil end
      if st.label then label, latex = st.label, nil end
      insert(diag, {label = label, latex_label = latex, cells = main})
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

  local footer = {}
  if stage == 1 then
    insert(footer, {text = "First stage: coefficients of the excluded instruments",
                    tex = "First stage: coefficients of the excluded instruments"})
  end
  insert(footer, {text = STAT_WORD[stat] .. " in parentheses",
                  tex = stat == "se" and "Standard errors in parentheses"
                    or "$" .. stat .. "$ statistics in parentheses"})
  if #o.levels > 0 then
    local parts, tparts = {}, {}
    for k, level in ipairs(o.levels) do
      parts[k] = rep("*", k) .. " p<" .. fmtlevel(level)
      tparts[k] = "$^{" .. rep("*", k) .. "}$ $p<" .. fmtlevel(level) .. "$"
    end
    insert(footer, {text = concat(parts, ", "), tex = concat(tparts, ", ")})
  end
  if any_brackets then insert(footer, {text = "p values in brackets", tex = "$p$ values in brackets"}) end
  for _, n in ipairs(notes) do insert(footer, n) end
  if opts.notes ~= nil then
    local extra = type(opts.notes) == "table" and opts.notes or {opts.notes}
    for _, n in ipairs(extra) do insert(footer, tostring(n)) end
  end

  return M.make({title = opts.title, columns = labels, groups = groups, head = head,
                 sections = {coefs, fes, diag}, footer = footer}, opts)
end

---------------------------------------------------------------- rendering and writing

function M.render(tab, format)
  if getmetatable(tab) ~= Table then
    fail("render expects a table made by tfp.table, got a " .. type(tab))
  end
  format = format or "text"
  local r = R.formats[format]
  if not r then
    fail(fmt("unknown format '%s' (%s)", tostring(format), R.FORMAT_LIST))
  end
  return r(tab)
end

Table.__tostring = function(tab) return R.formats.text(tab) end

-- tab:write(path [, format]): see lua/table_write.lua.
function M.write(tab, path, format)
  if getmetatable(tab) ~= Table then
    fail("write expects a table made by tfp.table, got a " .. type(tab))
  end
  return W.write(tab, path, format)
end

Table.render, Table.write = M.render, M.write
M.Table = Table
M.fmtnum, M.fmtint, M.check_levels, M.fmtlevel = fmtnum, fmtint, check_levels, fmtlevel
M.check_digits = check_digits

-- The host calls install(tfp) so that tfp.table(models, opts) is M.new(models, opts)
-- (a function, so that help() lists it).
function M.install(tfp)
  raise = tfp._raise
  W.install(tfp)
  tfp.table = function(models, opts) return M.new(models, opts) end
end

-- require("tfp.table")(models, opts) is M.new(models, opts) too.
return setmetatable(M, {__call = function(_, models, opts) return M.new(models, opts) end})
