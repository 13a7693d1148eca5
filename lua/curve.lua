-- curve.lua — module "tfp.curve": specification curves (Simonsohn, Simmons &
-- Nelson 2020, Nature Human Behaviour 4:1208): one model fitted with every
-- subset of a list of controls, across variants of a regressor and samples.
--
--   m = tfp.model("TFP ~ ..controls | city + year | SAGG ~ L1.SAGG + L2.SAGG", {method = "gmm", vce = "robust"})
--   cv, s = m:curve{data = f, keep = "SAGG", by = {SAGG = {"SAGG", "SAGG_H", "SAGG_L"}, fsplit = "region"}}
--   print(s)                         -- the summary; tfp.curvesummary(cv:where{sample = "East"})
--   tfp.curveplot(cv:where{sample = "Full"}, {out = "out/curve_national"})
--
-- cv is a frame with one row per specification: the choices (column sample,
-- and one column per `by` variable, labelled "choice"), one 0/1 column per
-- control (labelled "control"), then the kept coefficient's estimate, se,
-- CI, p, N and the diagnostics (KP F, Hansen J, ...), status and message.
-- The labels are how tfp.curvesummary and tfp.curveplot find the choices
-- and controls in any rows of cv (f:where keeps labels).
--
-- Each specification is the model with the regressors always + a subset of
-- controls, exactly as tfp.ivreg would fit it alone: the same terms, the
-- same sample rules. Every term is evaluated once per sample (lags, logs),
-- then all fits run in C on the thread pool (tfp._ivcurve, core/ivbatch.h),
-- results identical for any thread count. With more than max_sets subsets,
-- a seeded sample of max_sets of them (the empty and the full set always
-- in) is fitted, and the summary says so.
local F = require "tfp.formula"
local O = require "tfp.options"
local D = require "tfp.dist"
local Model = require "tfp.model"
local plot = require "tfp.plot"
local M = {}

local fmt, insert, concat = string.format, table.insert, table.concat
local tfp
local raise = function(_, fn, msg) error(fn .. ": " .. msg, 0) end
local function usage(fn, ...) raise("usage", fn, fmt(...)) end

local NAN = 0 / 0
local CHOICE, CONTROL = "choice", "control"
-- The columns of a curve after its choices and controls.
local RESULT = {"spec", "sample", "n_controls", "term", "estimate", "se", "lower", "upper", "p", "N", "N_g",
  "kp_f", "cd_f", "kp_lm", "kp_lm_p", "hansen_j", "hansen_j_p", "endog", "endog_p", "r2", "status", "message"}

------------------------------------------------------------------ registry

local function check_by(v)
  if type(v) ~= "table" or getmetatable(v) ~= nil then
    return nil, "must be a table such as {SAGG = {'SAGG', 'SAGG_H'}, fsplit = 'region'}, got a " .. type(v)
  end
  local out = {swaps = {}}
  local keys = {}
  for k in next, v do
    if type(k) ~= "string" then return nil, "has the key " .. tostring(k) .. ": keys are names" end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local x = v[k]
    if k == "split" or k == "fsplit" then
      if type(x) ~= "string" then return nil, fmt("field '%s' must be a column name, got a %s", k, type(x)) end
      out[k] = x
    else
      if type(x) == "string" then x = {x} end
      if type(x) ~= "table" or #x == 0 then
        return nil, fmt("field '%s' must list the variables that replace %s, such as {'%s', '%s_H'}", k, k, k, k)
      end
      local values = {}
      for i, name in ipairs(x) do
        if type(name) ~= "string" or not name:match("^[%a_][%w_]*$") then
          return nil, fmt("field '%s': element %d must be a variable name, got %s", k, i, tostring(name))
        end
        values[i] = name
      end
      insert(out.swaps, {var = k, values = values})
    end
  end
  if out.split and out.fsplit then return nil, "takes split or fsplit, not both" end
  return out
end

O.define("m:curve", {
  call = "m:curve{data = f [, controls = {...}, always = {...}, keep = 'x', by = {...}, ...]} -> curve, summary",
  doc = "the specification curve: the model fitted with every subset of the controls (or a seeded\n"
    .. "sample of max_sets of them), for each variant of a regressor and each sample in by, in\n"
    .. "parallel; curve is a frame (one row per specification), summary its summary (print it).\n"
    .. "Each row equals the model fitted alone with tfp.ivreg. Draw it with tfp.curveplot.",
  opts = {
    {name = "data", type = "frame", required = true, doc = "the frame to fit on"},
    {name = "controls", type = "columns", show = "the model's regressors (less always)",
     doc = "formula terms ('STR', 'log(POP)', '..controls'): each in or out of a specification"},
    {name = "always", type = "columns", doc = "formula terms in every specification"},
    {name = "keep", type = "string", show = "the first endogenous regressor",
     doc = "the coefficient of the curve: an endogenous regressor or an always term"},
    {name = "by", type = check_by, type_word = "table",
     doc = "{SAGG = {'SAGG', 'SAGG_H'}}: variables that replace SAGG everywhere in the model (its lags\n"
       .. "    too), one curve each; split = 'region' (one per region), fsplit (the full sample too)"},
    {name = "max_sets", type = "integer", default = 4096, min = 2, max = 1000000,
     doc = "at most this many control sets: beyond, a seeded random sample (empty and full sets in)"},
    {name = "seed", type = "integer", default = 20201,
     doc = "the sample's seed (only when the subsets exceed max_sets)"},
    {name = "level", type = "number", default = 0.95, min = 0.5, max = 0.999, doc = "confidence level of the CI"},
    {name = "threads", type = "integer", min = 1, max = 256, show = "all cores (TFP_THREADS)",
     doc = "worker threads; results are the same for any count"},
  },
  hints = {
    split = "one curve per region is by = {split = 'region'} (fsplit: the full sample too)",
    fsplit = "the full sample and each region is by = {fsplit = 'region'}",
    x = "the regressor's variants are by = {SAGG = {'SAGG', 'SAGG_H'}}",
    sample = "at most max_sets control sets are fitted (a seeded sample beyond)",
    n = "at most max_sets control sets are fitted (a seeded sample beyond)",
    alpha = "the confidence level is option 'level'", ci = "the confidence level is option 'level'",
    df = "the frame is option 'data'", frame = "the frame is option 'data'",
    include = "terms in every specification are option 'always'",
    vars = "the controls that vary are option 'controls'",
  },
})

O.define("tfp.curvesummary", {
  call = "tfp.curvesummary(curve [, {weak = 10}]) -> summary",
  doc = "the summary of a specification curve (any rows of m:curve's frame), by choice: the share\n"
    .. "of specifications significantly positive and negative (the CI excludes 0), the median\n"
    .. "estimate, the share with weak instruments, and what each control does to the estimate\n"
    .. "(mean with it minus mean without it). print(s); s.table is a frame (s:write_csv(path)).",
  opts = {
    {name = "weak", type = "number", default = 10, min = 0, doc = "KP F below this is weak"},
  },
  hints = {threshold = "the weak-instrument threshold is option 'weak'"},
})

O.define("tfp.curveplot", {
  call = "tfp.curveplot(curve, {out = 'dir/name' [, options]}) -> paths",
  doc = "the specification curve as two panels over the specifications sorted by estimate: the\n"
    .. "estimates with their CIs above (significant ones coloured, weak instruments circled),\n"
    .. "the choices and controls of each below. Drawn by gnuplot to PNG and SVG (see tfp.coefplot\n"
    .. "for the safety rules); writes out.gp, out.dat and the images.",
  opts = plot.merge({
    {name = "labels", type = "table", doc = "{control = 'label'}: row labels of the lower panel"},
    {name = "title", type = "string", doc = "the figure's title"},
    {name = "ylabel", type = "string", show = "'estimate of' and the kept terms", doc = "the y axis label"},
    {name = "weak", type = "number", default = 10, min = 0, none = "no marks",
     doc = "specifications whose KP F is below this are marked (false: none)"},
  }, plot.figure_opts(1200, 800)),
  hints = (function()
    local h = {threshold = "the weak-instrument threshold is option 'weak'",
      sort = "the specifications are sorted by estimate", level = "the CI is the curve's (m:curve's level)"}
    for k, v in pairs(plot.figure_hints) do h[k] = v end
    return h
  end)(),
})

------------------------------------------------------------------- terms

-- t with variable `from` replaced by `to`, labels rebuilt as the parser builds them.
local LETTER = {lag = "L", lead = "F", diff = "D"}
local function subst(t, from, to)
  if t.kind == "var" then
    if t.name ~= from then return t end
    return {kind = "var", name = to, label = to, pos = t.pos}
  end
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  if t.kind == "prod" then
    c.factors = {}
    local labels = {}
    for i, x in ipairs(t.factors) do c.factors[i] = subst(x, from, to); labels[i] = c.factors[i].label end
    c.label = concat(labels, ":")
  elseif t.kind == "fun" then
    c.of = subst(t.of, from, to)
    c.label = t.fn .. "(" .. c.of.label .. ")"
  elseif LETTER[t.kind] then
    c.of = subst(t.of, from, to)
    c.label = LETTER[t.kind] .. (t.k == 1 and "" or tostring(t.k)) .. "." .. c.of.label
  end
  return c
end

local function subst_all(list, from, to)
  local out = {}
  for i, t in ipairs(list) do out[i] = subst(t, from, to) end
  return out
end

local function mentions(t, name)
  for _, v in ipairs(F.variables(t)) do if v.name == name then return true end end
  return false
end

-- Terms of the strings in list (each may hold several: "a + b", "..set").
local function parse_terms(fn, what, list, macros)
  local terms = {}
  for _, s in ipairs(list or {}) do
    local ok, specs = pcall(F.parse, "_curve_ ~ " .. s, macros)
    if not ok then
      local msg = type(specs) == "table" and specs.message or tostring(specs)
      usage(fn, "%s: '%s' is not a formula term (%s)", what, s, (msg:gsub("\n.*", "")))
    end
    if #specs ~= 1 or #specs[1].endog > 0 or #specs[1].fe > 0 or specs[1].constant ~= nil then
      usage(fn, "%s: '%s' must be regressors, such as 'STR' or 'log(POP)'", what, s)
    end
    if #specs[1].exog == 0 then usage(fn, "%s: '%s' has no term", what, s) end
    for _, t in ipairs(specs[1].exog) do terms[#terms + 1] = t end
  end
  return terms
end

-- Every variable of the terms must be a column of f: the error names the term.
local function check_terms(fn, what, terms, f)
  local names, have = f:names(), {}
  for _, n in ipairs(names) do have[n] = true end
  for _, t in ipairs(terms) do
    for _, v in ipairs(F.variables(t)) do
      if not have[v.name] then
        local near = O.closest(v.name, names)
        usage(fn, "%s '%s': no variable '%s' in the data%s", what, t.label, v.name,
          near and (" (did you mean '" .. near .. "'?)") or "")
      end
    end
  end
end

---------------------------------------------------------------- subsets

-- splitmix64: a small seeded stream, the same on every platform.
local function splitmix(seed)
  local state = seed
  return function()
    state = state + 0x9E3779B97F4A7C15
    local z = state
    z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ~ (z >> 27)) * 0x94D049BB133111EB
    return z ~ (z >> 31)
  end
end

local function popcount(m)
  local c = 0
  while m ~= 0 do m = m & (m - 1); c = c + 1 end
  return c
end

-- Control sets as bit masks (bit j-1: control j), by size, then mask: all
-- 2^k, or max of them drawn without replacement (empty and full included).
local function control_sets(k, max, seed)
  local total = k < 63 and (1 << k) or math.maxinteger
  local sets = {}
  if total <= max then
    for m = 0, total - 1 do sets[#sets + 1] = m end
  else
    local full = (1 << k) - 1
    local seen = {[0] = true, [full] = true}
    sets[1], sets[2] = 0, full
    local draw = splitmix(seed)
    while #sets < max do
      local m = draw() & full
      if not seen[m] then seen[m] = true; sets[#sets + 1] = m end
    end
  end
  table.sort(sets, function(a, b)
    local pa, pb = popcount(a), popcount(b)
    if pa ~= pb then return pa < pb end
    return a < b
  end)
  return sets, total
end

------------------------------------------------------------------ curve

local is_frame = O.is_frame

-- One cell per sample and combination of the by variables' values.
local function combinations(swaps)
  local combos = {{}}
  for _, s in ipairs(swaps) do
    local next_combos = {}
    for _, c in ipairs(combos) do
      for _, v in ipairs(s.values) do
        local d = {table.unpack(c)}
        d[#d + 1] = v
        next_combos[#next_combos + 1] = d
      end
    end
    combos = next_combos
  end
  return combos
end

function M.curve(m, opts)
  local fn = "m:curve"
  if getmetatable(m) ~= Model.Model then usage(fn, "call it as m:curve{...} on a model (tfp.model)") end
  opts = O.check(fn, opts)
  local f = opts.data
  if #m.specs > 1 then
    usage(fn, "the model has %d right-hand sides (sw/csw): a curve varies the controls itself", #m.specs)
  end
  local base = m.specs[1]
  local always = parse_terms(fn, "always", opts.always, m.macros)
  local controls
  local labels = {}
  for _, t in ipairs(always) do
    if labels[t.label] then usage(fn, "always: '%s' is listed twice", t.label) end
    labels[t.label] = "always"
  end
  if opts.controls then
    controls = parse_terms(fn, "controls", opts.controls, m.macros)
  else
    controls = {}
    for _, t in ipairs(base.exog) do
      if not labels[t.label] then controls[#controls + 1] = t end
    end
  end
  for _, t in ipairs(controls) do
    if labels[t.label] then
      usage(fn, "control '%s' is %s", t.label, labels[t.label] == "always" and "also in always" or "listed twice")
    end
    labels[t.label] = "control"
  end
  if #controls == 0 then usage(fn, "no controls to vary: give controls = {...} or a model with regressors") end
  if #controls > 62 then usage(fn, "%d controls: at most 62 (with max_sets the subsets are sampled)", #controls) end
  for _, t in ipairs(base.endog) do
    if labels[t.label] then
      usage(fn, "'%s' is an endogenous regressor of the model, not a control", t.label)
    end
  end
  check_terms(fn, "control", controls, f)
  check_terms(fn, "always term", always, f)

  local keep = opts.keep or (base.endog[1] and base.endog[1].label)
  if not keep then
    usage(fn, "option 'keep' (the coefficient of the curve) is required: the model has no endogenous regressor")
  end
  local keep_term
  for _, t in ipairs(base.endog) do if t.label == keep then keep_term = t end end
  for _, t in ipairs(always) do if t.label == keep then keep_term = t end end
  if not keep_term then
    local cands = {}
    for _, t in ipairs(base.endog) do cands[#cands + 1] = t.label end
    for _, t in ipairs(always) do cands[#cands + 1] = t.label end
    local near = O.closest(keep, cands)
    usage(fn, "keep: '%s' is neither an endogenous regressor nor an always term%s (%s)", keep,
      near and (" (did you mean '" .. near .. "'?)") or "", #cands > 0 and concat(cands, ", ") or "none")
  end

  -- by: the variables replaced, each a variable of the model; its values columns of f.
  local by = opts.by or {swaps = {}}
  local all_terms = {base.depvar}
  for _, list in ipairs({base.endog, base.inst, always, controls}) do
    for _, t in ipairs(list) do all_terms[#all_terms + 1] = t end
  end
  local names = f:names()
  for _, s in ipairs(by.swaps) do
    local found = false
    for _, t in ipairs(all_terms) do found = found or mentions(t, s.var) end
    if not found then
      usage(fn, "by: '%s' is no variable of the model %s", s.var, F.text(base))
    end
    for _, v in ipairs(s.values) do
      if not f:has(v) then
        local near = O.closest(v, names)
        usage(fn, "by: %s = '%s': no variable '%s' in the data%s", s.var, v, v,
          near and (" (did you mean '" .. near .. "'?)") or "")
      end
    end
  end
  local taken = {}
  for _, n in ipairs(RESULT) do taken[n] = "a result column" end
  for _, s in ipairs(by.swaps) do
    if taken[s.var] then usage(fn, "by: '%s' is the name of %s of the curve", s.var, taken[s.var]) end
    taken[s.var] = "a choice column"
  end
  for _, t in ipairs(controls) do
    if taken[t.label] then usage(fn, "control '%s' has the name of %s of the curve", t.label, taken[t.label]) end
  end

  local split_opts = {split = m.opts.split, fsplit = m.opts.fsplit, split_order = m.opts.split_order}
  if by.split or by.fsplit then split_opts = {split = by.split, fsplit = by.fsplit, split_order = m.opts.split_order} end
  local samples = Model.samples(f, split_opts, fn)
  local combos = combinations(by.swaps)
  local sets, total = control_sets(#controls, opts.max_sets, opts.seed)

  -- Cells: the model with always + every control, per sample and combination.
  local cells, keeps, cell_info = {}, {}, {}
  for _, s in ipairs(samples) do
    local cache = {}
    local function eval(t, frame, spec)
      local v = cache[t.label]
      if v == nil then v = Model.eval_term(t, frame, spec); cache[t.label] = v end
      return v
    end
    for _, combo in ipairs(combos) do
      local function sub(list)
        for i, sw in ipairs(by.swaps) do list = subst_all(list, sw.var, combo[i]) end
        return list
      end
      local exog = {}
      for _, t in ipairs(always) do exog[#exog + 1] = t end
      for _, t in ipairs(controls) do exog[#exog + 1] = t end
      local spec = {depvar = sub({base.depvar})[1], exog = sub(exog), endog = sub(base.endog), inst = sub(base.inst),
                    fe = base.fe, fe_terms = base.fe_terms, constant = base.constant, text = base.text, rhs = 1}
      spec.text = F.text(spec)
      cells[#cells + 1] = Model.spec_args(spec, s.frame, m.opts, fn, eval)
      keeps[#keeps + 1] = sub({keep_term})[1].label
      cell_info[#cell_info + 1] = {sample = s.name, combo = combo}
    end
  end
  local fits = {}
  local n_always = #always
  for c = 1, #cells do
    for _, mask in ipairs(sets) do
      local fit = {c}
      for j = 1, n_always do fit[#fit + 1] = j end
      for j = 1, #controls do
        if mask & (1 << (j - 1)) ~= 0 then fit[#fit + 1] = n_always + j end
      end
      fits[#fits + 1] = fit
    end
  end
  local res = tfp._ivcurve{cells = cells, fits = fits, keep = keeps, threads = opts.threads,
                           what = "specification curve"}

  -- The frame.
  local n = #fits
  local level = opts.level
  local cols = {}
  local spec_col, sample_col, nctl, term = {}, {}, {}, {}
  local swap_cols, ctl_cols = {}, {}
  for i = 1, #by.swaps do swap_cols[i] = {} end
  for j = 1, #controls do ctl_cols[j] = {} end
  local lower, upper = {}, {}
  local i = 0
  for c = 1, #cells do
    for _, mask in ipairs(sets) do
      i = i + 1
      spec_col[i] = i
      sample_col[i] = cell_info[c].sample
      for k = 1, #by.swaps do swap_cols[k][i] = cell_info[c].combo[k] end
      for j = 1, #controls do ctl_cols[j][i] = (mask & (1 << (j - 1)) ~= 0) and 1 or 0 end
      nctl[i] = popcount(mask)
      term[i] = keeps[c]
      local b, se, df = res.estimate[i], res.se[i], res.df_r[i]
      if b ~= nil and se ~= nil then
        local q = (df ~= nil and m.opts.small) and D.t_quantile(df, (1 + level) / 2) or D.norm_quantile((1 + level) / 2)
        lower[i], upper[i] = b - q * se, b + q * se
      else
        lower[i], upper[i] = NAN, NAN
      end
    end
  end
  local message = {}
  for k = 1, n do message[k] = (res.message[k] or ""):gsub("\n+$", ""):gsub("\n", "; ") end
  insert(cols, {"spec", spec_col})
  insert(cols, {"sample", sample_col})
  for k, s in ipairs(by.swaps) do insert(cols, {s.var, swap_cols[k]}) end
  for j, t in ipairs(controls) do insert(cols, {t.label, ctl_cols[j]}) end
  insert(cols, {"n_controls", nctl})
  insert(cols, {"term", term})
  for _, name in ipairs({"estimate", "se"}) do insert(cols, {name, res[name]}) end
  insert(cols, {"lower", lower})
  insert(cols, {"upper", upper})
  for _, name in ipairs({"p", "N", "N_g", "kp_f", "cd_f", "kp_lm", "kp_lm_p", "hansen_j", "hansen_j_p", "endog",
                         "endog_p", "r2"}) do
    insert(cols, {name, res[name]})
  end
  insert(cols, {"status", res.status})
  insert(cols, {"message", message})
  local cv = tfp.frame(cols)
  cv:label("sample", CHOICE)
  for _, s in ipairs(by.swaps) do cv:label(s.var, CHOICE) end
  for _, t in ipairs(controls) do cv:label(t.label, CONTROL) end
  cv:label("lower", fmt("lower bound of the %g%% CI", level * 100))
  cv:label("upper", fmt("upper bound of the %g%% CI", level * 100))
  local s = M.summary(cv, nil, "m:curve")
  s.sets, s.total_sets, s.sampled, s.seed = #sets, total, #sets < total, opts.seed
  local full = {}
  for _, t in ipairs(always) do full[#full + 1] = t end
  for _, t in ipairs(controls) do full[#full + 1] = t end
  local widest = {depvar = base.depvar, exog = full, endog = base.endog, inst = base.inst, fe = base.fe,
                  constant = base.constant}
  s.threads, s.method, s.formula, s.level = res.threads, m.opts.method or "2sls", F.text(widest), level
  return cv, s
end

---------------------------------------------------------------- summary

local Summary = {}
Summary.__index = Summary
Summary.__name = "tfp.curvesummary"

-- The choice and control columns of a curve frame, by their labels.
local function layout(cv, fn)
  if not is_frame(cv) then usage(fn, "expected a curve (the frame m:curve returns), got a %s", type(cv)) end
  local choices, controls = {}, {}
  for _, name in ipairs(cv:names()) do
    local l = cv:label(name)
    if l == CHOICE then choices[#choices + 1] = name
    elseif l == CONTROL then controls[#controls + 1] = name end
  end
  for _, need in ipairs({"estimate", "lower", "upper"}) do
    if not cv:has(need) then usage(fn, "the frame has no column '%s': not a curve from m:curve", need) end
  end
  if #controls == 0 then usage(fn, "the frame has no control columns (labelled 'control'): not a curve from m:curve") end
  return choices, controls
end

local function median(sorted)
  local n = #sorted
  if n == 0 then return NAN end
  if n % 2 == 1 then return sorted[(n + 1) // 2] end
  return (sorted[n // 2] + sorted[n // 2 + 1]) / 2
end

function M.summary(cv, opts, fn)
  fn = fn or "tfp.curvesummary"
  opts = O.check("tfp.curvesummary", opts)
  local choices, controls = layout(cv, fn)
  local est, lo, hi = cv.estimate, cv.lower, cv.upper
  local kp = cv:has("kp_f") and cv.kp_f
  local ccols = {}
  for j, c in ipairs(choices) do ccols[j] = cv[c] end
  local ind = {}
  for j, c in ipairs(controls) do ind[j] = cv[c] end
  local groups, by_key = {}, {}
  for i = 1, cv:nrow() do
    local vals = {}
    for j = 1, #choices do vals[j] = tostring(ccols[j][i]) end
    local key = concat(vals, "\0")
    local g = by_key[key]
    if not g then
      g = {values = vals, n = 0, est = {}, pos = 0, neg = 0, weak = 0, with = {}, without = {}}
      for j = 1, #controls do g.with[j] = {0, 0}; g.without[j] = {0, 0} end
      by_key[key] = g
      groups[#groups + 1] = g
    end
    g.n = g.n + 1
    local b = est[i]
    if b ~= nil then
      g.est[#g.est + 1] = b
      if lo[i] ~= nil and lo[i] > 0 then g.pos = g.pos + 1 end
      if hi[i] ~= nil and hi[i] < 0 then g.neg = g.neg + 1 end
      if kp and kp[i] ~= nil and kp[i] < opts.weak then g.weak = g.weak + 1 end
      for j = 1, #controls do
        local acc = ind[j][i] == 1 and g.with[j] or g.without[j]
        acc[1], acc[2] = acc[1] + b, acc[2] + 1
      end
    end
  end
  -- One row per group: shares, median, range, and each control's effect.
  local rows = {}
  for _, name in ipairs(choices) do rows[name] = {} end
  local cols = {n = {}, n_ok = {}, share_pos = {}, share_neg = {}, median = {}, min = {}, max = {}, share_weak = {}}
  local effect_cols = {}
  for j = 1, #controls do effect_cols[j] = {} end
  for gi, g in ipairs(groups) do
    table.sort(g.est)
    local ok = #g.est
    for j, name in ipairs(choices) do rows[name][gi] = g.values[j] end
    cols.n[gi], cols.n_ok[gi] = g.n, ok
    cols.share_pos[gi] = ok > 0 and g.pos / ok or NAN
    cols.share_neg[gi] = ok > 0 and g.neg / ok or NAN
    cols.share_weak[gi] = (ok > 0 and kp) and g.weak / ok or NAN
    cols.median[gi] = median(g.est)
    cols.min[gi], cols.max[gi] = g.est[1] or NAN, g.est[ok] or NAN
    g.effects = {}
    for j, c in ipairs(controls) do
      local w, wo = g.with[j], g.without[j]
      local d = (w[2] > 0 and wo[2] > 0) and (w[1] / w[2] - wo[1] / wo[2]) or NAN
      effect_cols[j][gi] = d
      g.effects[#g.effects + 1] = {control = c, diff = d}
    end
    table.sort(g.effects, function(a, b)
      local x, y = a.diff == a.diff and math.abs(a.diff) or -1, b.diff == b.diff and math.abs(b.diff) or -1
      if x ~= y then return x > y end
      return a.control < b.control
    end)
    g.share_pos, g.share_neg, g.share_weak = cols.share_pos[gi], cols.share_neg[gi], cols.share_weak[gi]
    g.median, g.n_ok = cols.median[gi], ok
  end
  local tcols = {}
  for _, name in ipairs(choices) do tcols[#tcols + 1] = {name, rows[name]} end
  for _, name in ipairs({"n", "n_ok", "share_pos", "share_neg", "median", "min", "max", "share_weak"}) do
    tcols[#tcols + 1] = {name, cols[name]}
  end
  for j, c in ipairs(controls) do tcols[#tcols + 1] = {"d_" .. c, effect_cols[j]} end
  local tab = #groups > 0 and tfp.frame(tcols) or nil
  if tab then
    for _, c in ipairs(controls) do
      tab:label("d_" .. c, "mean estimate with " .. c .. " minus mean without")
    end
  end
  local terms = {}
  if cv:has("term") then
    local seen = {}
    for _, t in ipairs(cv.term:totable()) do if not seen[t] then seen[t] = true; terms[#terms + 1] = t end end
  end
  return setmetatable({groups = groups, choices = choices, controls = controls, table = tab, n = cv:nrow(),
                       weak = opts.weak, terms = terms}, Summary)
end

local function pct(x) return x == x and fmt("%5.1f%%", 100 * x) or "    ." end
local function num(x) return x == x and fmt("% .4f", x) or "     ." end

function Summary.__tostring(s)
  local out = {}
  local head = fmt("Specification curve: %d specifications", s.n)
  if s.sets then
    head = head .. fmt(" (%d control sets%s", s.sets, s.sampled and
      fmt(", a seeded sample of the %.0f subsets of %d controls, seed %d)", s.total_sets, #s.controls, s.seed) or
      fmt(": every subset of %d controls)", #s.controls))
  end
  out[#out + 1] = head
  if s.formula then
    out[#out + 1] = fmt("model: %s (%s); significant: the %g%% CI excludes 0", s.formula,
      ({gmm = "IV-GMM", ["2sls"] = "2SLS"})[s.method] or s.method, s.level * 100)
  end
  local w = {}
  for j, c in ipairs(s.choices) do
    w[j] = #c
    for _, g in ipairs(s.groups) do w[j] = math.max(w[j], #g.values[j]) end
  end
  local hdr = {}
  for j, c in ipairs(s.choices) do hdr[#hdr + 1] = fmt("%-" .. w[j] .. "s", c) end
  out[#out + 1] = concat(hdr, "  ") .. fmt("  %5s  %6s  %6s  %8s  %8s", "specs", "sig.+", "sig.-", "median",
    "KP F<" .. fmt("%g", s.weak)) .. "  controls that move the estimate most (mean with - without)"
  for _, g in ipairs(s.groups) do
    local cells = {}
    for j in ipairs(s.choices) do cells[#cells + 1] = fmt("%-" .. w[j] .. "s", g.values[j]) end
    local eff = {}
    for k = 1, math.min(3, #g.effects) do
      local e = g.effects[k]
      if e.diff == e.diff then eff[#eff + 1] = fmt("%s %+.4f", e.control, e.diff) end
    end
    out[#out + 1] = concat(cells, "  ") .. fmt("  %5d  %6s  %6s  %8s  %8s", g.n, pct(g.share_pos), pct(g.share_neg),
      num(g.median), pct(g.share_weak)) .. "  " .. concat(eff, ", ") ..
      (g.n_ok < g.n and fmt(" (%d failed)", g.n - g.n_ok) or "")
  end
  return concat(out, "\n")
end

function Summary:write_csv(path)
  if not self.table then raise("data", "s:write_csv", "the curve has no specifications") end
  return self.table:write_csv(path)
end

------------------------------------------------------------------- plot

local COLOURS = {pos = "#1a9850", neg = "#d73027", ns = "#4d4d4d", ci = "#b8b8b8", weak = "#ff7f00",
  median = "#3366cc", grid = "#303030"}

function M.curveplot(cv, opts)
  local fn = "tfp.curveplot"
  opts = O.check(fn, opts)
  local formats = plot.check_formats(fn, opts.formats)
  local choices, controls = layout(cv, fn)
  local est, lo, hi = cv.estimate, cv.lower, cv.upper
  local kp = cv:has("kp_f") and cv.kp_f
  local spec = cv:has("spec") and cv.spec
  local labels = opts.labels or {}
  for k, v in pairs(labels) do
    if type(k) ~= "string" or type(v) ~= "string" then
      usage(fn, "option 'labels' must map control names to strings ({STR = 'structure'})")
    end
  end

  -- The specifications with an estimate, sorted by it (ties: row order).
  local order = {}
  for i = 1, cv:nrow() do
    if est[i] ~= nil and lo[i] ~= nil and hi[i] ~= nil then order[#order + 1] = i end
  end
  local failed = cv:nrow() - #order
  if #order == 0 then raise("data", fn, "no specification has an estimate to plot") end
  table.sort(order, function(a, b)
    if est[a] ~= est[b] then return est[a] < est[b] end
    return a < b
  end)

  -- Rows of the lower panel, top to bottom: each choice that varies (one row
  -- per value), then the controls.
  local rows = {}
  for _, c in ipairs(choices) do
    local col, vals, seen, shown = cv[c], {}, {}, {}
    for _, i in ipairs(order) do shown[tostring(col[i])] = true end
    for i = 1, cv:nrow() do   -- in the curve's order (the order of by's lists)
      local v = tostring(col[i])
      if shown[v] and not seen[v] then seen[v] = true; vals[#vals + 1] = v end
    end
    if #vals > 1 then
      for _, v in ipairs(vals) do
        rows[#rows + 1] = {label = fmt("%s = %s", c, v), test = function(i) return tostring(col[i]) == v end}
      end
    end
  end
  local n_choice_rows = #rows
  for _, c in ipairs(controls) do
    local col = cv[c]
    rows[#rows + 1] = {label = labels[c] or c, test = function(i) return col[i] == 1 end}
  end

  local terms, tseen, plotted = {}, {}, {}
  for _, i in ipairs(order) do plotted[i] = true end
  if cv:has("term") then
    local tc = cv.term
    for i = 1, cv:nrow() do
      local t = tc[i]
      if plotted[i] and not tseen[t] then tseen[t] = true; terms[#terms + 1] = t end
    end
  end
  local mid
  do
    local e = {}
    for k, i in ipairs(order) do e[k] = est[i] end
    mid = median(e)
  end

  -- Quote every string first: a bad one stops before anything is written.
  local row_q = {}
  for r, row in ipairs(rows) do row_q[r] = plot.quote(row.label, "row label", fn) end
  local n = #order
  local title = opts.title or fmt("Specification curve of %s: %d specifications%s",
    #terms > 0 and concat(terms, ", ") or "the estimate", n, failed > 0 and fmt(" (%d failed, not shown)", failed) or "")
  local title_q = plot.quote(title, "title", fn)
  local ylabel_q = plot.quote(opts.ylabel or ("estimate of " .. (#terms > 0 and concat(terms, ", ") or "the term")),
    "ylabel", fn)
  local ci_word = cv:label("lower") and cv:label("lower"):match("%d+%.?%d*%% CI") or "CI"

  local ci, pos, neg, ns, weak, grid, dat = {}, {}, {}, {}, {}, {}, {}
  dat[1] = "# rank spec estimate lower upper kp_f"
  local ymin, ymax = math.huge, -math.huge
  local nrows = #rows
  for x, i in ipairs(order) do
    local b, l, h = est[i], lo[i], hi[i]
    ymin, ymax = math.min(ymin, l, b), math.max(ymax, h, b)
    insert(ci, fmt("%d %s %s", x, plot.number(l), plot.number(h)))
    local line = fmt("%d %s", x, plot.number(b))
    if l > 0 then insert(pos, line) elseif h < 0 then insert(neg, line) else insert(ns, line) end
    local k = kp and kp[i]
    if opts.weak and k ~= nil and k < opts.weak then insert(weak, line) end
    for r, row in ipairs(rows) do
      if row.test(i) then insert(grid, fmt("%d %d", x, nrows - r + 1)) end
    end
    insert(dat, fmt("%d %s %s %s %s %s", x, spec and tostring(spec[i]) or tostring(i), plot.number(b),
      plot.number(l), plot.number(h), plot.number(k)))
  end
  tfp._write_file(opts.out .. ".dat", concat(dat, "\n") .. "\n", fn)
  ymin, ymax = math.min(ymin, 0), math.max(ymax, 0)
  local pad = (ymax - ymin) * 0.06
  if pad == 0 then pad = 1 end

  local function block(name, lines)
    if #lines == 0 then lines = {"NaN NaN NaN"} end
    return fmt("$%s << EOD\n%s\nEOD\n", name, concat(lines, "\n"))
  end
  -- Layout in screen coordinates: the two panels share their x axis.
  local grid_h = math.max(0.14, math.min(0.42, 0.028 * nrows + 0.02))
  local bottom, gap, top = 0.19, 0.035, 0.92
  local grid_top = bottom + grid_h
  local est_bottom = grid_top + gap
  local xr = fmt("set xrange [0.5:%s]\n", plot.number(n + 0.5))
  local plots = {fmt("$ci using 1:2:(0):($3-$2) with vectors nohead linecolor rgb '%s' linewidth 1 title '%s'",
    COLOURS.ci, ci_word)}
  insert(plots, fmt("%s with lines dashtype 2 linewidth 1.5 linecolor rgb '%s' title 'median %s'",
    plot.number(mid), COLOURS.median, fmt("%.4g", mid)))
  insert(plots, fmt("$ns using 1:2 with points pointtype 7 pointsize 0.6 linecolor rgb '%s' title 'not significant'",
    COLOURS.ns))
  insert(plots, fmt("$pos using 1:2 with points pointtype 7 pointsize 0.6 linecolor rgb '%s' title 'significant > 0'",
    COLOURS.pos))
  insert(plots, fmt("$neg using 1:2 with points pointtype 7 pointsize 0.6 linecolor rgb '%s' title 'significant < 0'",
    COLOURS.neg))
  if opts.weak then
    insert(plots, fmt("$weak using 1:2 with points pointtype 6 pointsize 1.3 linewidth 1.5 linecolor rgb '%s' "
      .. "title 'weak IV (KP F < %s)'", COLOURS.weak, fmt("%g", opts.weak)))
  end
  local ytics = {}
  for r = 1, nrows do insert(ytics, fmt("%s %d", row_q[r], nrows - r + 1)) end
  local sep = n_choice_rows > 0 and
    fmt("set arrow 1 from graph 0, first %s to graph 1, first %s nohead linecolor rgb '#808080' dashtype 3\n",
      plot.number(nrows - n_choice_rows + 0.5), plot.number(nrows - n_choice_rows + 0.5)) or ""
  local script = block("ci", ci) .. block("pos", pos) .. block("neg", neg) .. block("ns", ns) .. block("weak", weak)
    .. block("grid", grid)
    .. "set termoption noenhanced\nset multiplot title " .. title_q .. "\n"
    .. fmt("set lmargin at screen 0.17\nset rmargin at screen 0.98\n")
    .. fmt("set tmargin at screen %s\nset bmargin at screen %s\n", plot.number(top), plot.number(est_bottom))
    .. xr .. fmt("set yrange [%s:%s]\n", plot.number(ymin - pad), plot.number(ymax + pad))
    .. "set format x ''\nset grid ytics\nset ylabel " .. ylabel_q .. "\n"
    .. "set xzeroaxis linetype 0 linewidth 2\n"
    .. "set key horizontal maxcols 3 samplen 2 center at screen 0.575, screen 0.06\n"
    .. "plot " .. concat(plots, ", \\\n  ") .. "\n"
    .. "unset key\nunset arrow\nunset xzeroaxis\nunset grid\nset format x '%g'\n"
    .. fmt("set tmargin at screen %s\nset bmargin at screen %s\n", plot.number(grid_top), plot.number(bottom))
    .. xr .. fmt("set yrange [0.5:%s]\n", plot.number(nrows + 0.5))
    .. "set ytics (" .. concat(ytics, ", ") .. ")\nset ytics scale 0\nset ylabel ''\n"
    .. "set xlabel 'specification (sorted by estimate)' offset 0, 0.5\n" .. sep
    .. fmt("plot $grid using 1:($2-0.32):(0):(0.64) with vectors nohead linecolor rgb '%s' linewidth 1 notitle\n",
      COLOURS.grid)
    .. "unset multiplot\n"
  local paths = plot.draw(script, opts.out, {formats = formats, width = opts.width, height = opts.height}, fn)
  table.insert(paths, 2, opts.out .. ".dat")
  return paths
end

function M.install(lib)
  tfp = lib
  raise = tfp._raise
  Model.Model.curve = function(m, opts) return M.curve(m, opts) end
  tfp.curvesummary = function(cv, opts) return M.summary(cv, opts) end
  tfp.curveplot = function(cv, opts) return M.curveplot(cv, opts) end
  O.bind(Model.Model.curve, "m:curve")
end

return M
