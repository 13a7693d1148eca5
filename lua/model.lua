-- model.lua — model objects over formulas: tfp.controls, tfp.model,
-- tfp.ivreg; fitting on frames, regional splits, several right-hand sides.
-- Lua states the model; the estimation itself is C (tfp._ivfit).
local F = require "tfp.formula"
local O = require "tfp.options"

local M = {}

local Model, Fit, Fits = {}, {}, {}
Model.__index = Model
Fits.__name = "tfp.fits"

-------------------------------------------------------------- evaluation

local raise = function(_, _, msg) error(msg, 0) end   -- tfp._raise, set by install
local vce_label
-- The tfp table given to install: the primitives the models call (tfp.log
-- and the other functions of a formula, tfp.vector, tfp._ivfit).
local tfp

local function is_error(e)
  local mt = getmetatable(e)
  return type(mt) == "table" and rawget(mt, "__name") == "tfp.error"
end

local function check_variables(spec, f)
  local names = f:names()
  local have = {}
  for _, n in ipairs(names) do have[n] = true end
  local terms = {spec.depvar}
  for _, list in ipairs({spec.exog, spec.endog, spec.inst, spec.fe_terms}) do
    for _, t in ipairs(list) do terms[#terms + 1] = t end
  end
  for _, t in ipairs(terms) do
    for _, v in ipairs(F.variables(t)) do
      if not have[v.name] then
        local best = O.closest(v.name, names)
        F.error(spec.text, v.pos, "unknown variable '" .. v.name .. "'" ..
          (best and (" (did you mean '" .. best .. "'?)") or ""))
      end
    end
  end
end

local function eval_term(t, f, spec)
  if t.kind == "var" then
    local v = f[t.name]
    if f:types()[t.name] ~= "number" then F.error(spec.text, t.pos, "variable '" .. t.name .. "' is not numeric") end
    return v
  elseif t.kind == "fun" then
    local x = eval_term(t.of, f, spec)
    local ok, r = pcall(tfp[t.fn], x)
    if not ok then
      if not is_error(r) then error(r, 0) end
      F.error(spec.text, t.pos, t.label .. ": " .. r.message)
    end
    return r
  elseif t.kind == "prod" then
    local r = eval_term(t.factors[1], f, spec)
    for k = 2, #t.factors do r = r * eval_term(t.factors[k], f, spec) end
    return r
  end
  -- lag, lead, diff: the frame's panel structure, gaps respected
  if not f:panel() then
    F.error(spec.text, t.pos, t.label .. " needs a panel: declare it with f:panel(id, time)")
  end
  local x = eval_term(t.of, f, spec)
  if t.kind == "lag" then return f:lag(x, t.k) end
  if t.kind == "lead" then return f:lag(x, -t.k) end
  return x - f:lag(x, t.k)   -- D.x: first difference (Dk.x: x_t - x_{t-k})
end

-- A grouping variable as a numeric vector: numbers as they are, strings by
-- their group codes from C (sorted order, as the core numbers every group).
local function codes(f, name)
  if f:types()[name] == "number" then return f[name] end
  return tfp._group_codes(f, name)
end

-- A variable of the frame, or a usage error naming it (with a guess).
local function need(f, name, what, fn)
  if not f:has(name) then
    local near = O.closest(name, f:names())
    raise("usage", fn, "vce: no " .. what .. " '" .. name .. "'" ..
      (near and (" (did you mean '" .. near .. "'?)") or ""))
  end
  return name
end

-- The declared panel (id, time), or a usage error saying what needs it.
local function panel_of(f, what, fn)
  local id, time = tfp._panel(f)
  if not id then raise("usage", fn, "vce: " .. what .. " needs a panel: declare it with f:panel(id, time)") end
  return id, time
end

-- The checked vce option (lua/options.lua) as _ivfit's fields.
local function set_vce(args, vce, f, fn)
  if type(vce) ~= "table" then
    if vce == "kiefer" then
      local id, time = panel_of(f, "'kiefer'", fn)
      args.vce, args.kiefer = "unadjusted", true
      args.time, args.panel, args.time_name = codes(f, time), codes(f, id), time
    else
      args.vce = vce
    end
    return
  end
  if vce.cluster then
    local c = type(vce.cluster) == "table" and vce.cluster or {vce.cluster}
    if vce.kernel and #c == 2 then   -- Thompson: the units first, the time second (ivreg2)
      local id, time = tfp._panel(f)
      if c[1] == time and c[2] == id then c = {c[2], c[1]} end
    end
    args.vce = "cluster"
    args.cluster, args.cluster_name = codes(f, need(f, c[1], "cluster variable", fn)), c[1]
    if c[2] then args.cluster2, args.cluster2_name = codes(f, need(f, c[2], "cluster variable", fn)), c[2] end
    args.kernel, args.bw = vce.kernel, vce.bw
  elseif vce.dkraay then
    local _, time = panel_of(f, "{dkraay = ...}", fn)
    args.vce, args.cluster, args.cluster_name = "cluster", codes(f, time), time
    args.kernel, args.bw = vce.kernel, vce.dkraay
  elseif vce.hac then
    local id, time = nil, vce.time
    if tfp._panel(f) then
      id, time = tfp._panel(f)
      time = vce.time or time
    end
    if not time then raise("usage", fn, "vce: {hac = ...} needs time = 'var' or a declared panel") end
    args.vce, args.kernel, args.bw = "robust", vce.hac, vce.bw
    args.time, args.time_name = codes(f, need(f, time, "time variable", fn)), time
    if id then args.panel = codes(f, id) end
  end
end

local KERNEL_NAME = {bartlett = "Bartlett", parzen = "Parzen", truncated = "truncated", thanning = "Tukey-Hanning",
  thamming = "Tukey-Hamming", qs = "quadratic spectral", daniell = "Daniell", tent = "tent"}

-- How the VCE is described in print(r) and tables.
vce_label = function(vce, r)
  local bw = r.bw and string.format(", bw = %g", r.bw) or ""
  if vce == "kiefer" then return "Kiefer (within-unit autocorrelation)" end
  if type(vce) ~= "table" then return vce end
  if vce.cluster then
    local c = type(vce.cluster) == "table" and vce.cluster or {vce.cluster}
    local s = (#c == 2 and "two-way cluster " or "cluster ") .. table.concat(c, " + ")
    if vce.kernel then s = s .. ", " .. KERNEL_NAME[vce.kernel] .. " kernel" .. bw end
    return s
  end
  if vce.dkraay then return "Driscoll-Kraay, " .. KERNEL_NAME[vce.kernel] .. " kernel" .. bw end
  if vce.hac then return "HAC, " .. KERNEL_NAME[vce.hac] .. " kernel" .. bw end
  return r.vce
end

-- The arguments of tfp._ivfit for spec on f: the variables evaluated (by
-- eval, default eval_term: m:curve passes one that evaluates each term once
-- per sample), fixed effects, VCE. opts were checked by the registry (method
-- and vce normalised); fn is the public name errors are reported under.
local function spec_args(spec, f, opts, fn, eval)
  eval = eval or eval_term
  check_variables(spec, f)
  local function list(terms)
    local vecs, names = {}, {}
    for i, t in ipairs(terms) do vecs[i], names[i] = eval(t, f, spec), t.label end
    return vecs, names
  end
  local y = eval(spec.depvar, f, spec)
  local exog, exog_names = list(spec.exog)
  local endog, endog_names = list(spec.endog)
  local inst, inst_names = list(spec.inst)
  local args = {
    y = y, y_name = spec.depvar.label, exog = exog, exog_names = exog_names,
    endog = endog, endog_names = endog_names, inst = inst, inst_names = inst_names,
    method = opts.method or "2sls", small = opts.small or false, frame = f,
  }
  if #spec.fe > 0 then
    args.absorb = codes(f, spec.fe[1])
    args.absorb_name = spec.fe[1]
    if #spec.fe > 1 then
      local more = {}
      for k = 2, #spec.fe do
        local dv = codes(f, spec.fe[k])
        more[#more + 1] = dv
      end
      if opts.absorb_all then args.absorb_more = more else args.dummies = more end
      local dnames = {}
      for k = 2, #spec.fe do dnames[#dnames + 1] = spec.fe[k] end
      args.dummy_names = dnames
    end
  end
  if spec.constant ~= nil then args.constant = spec.constant end
  local vce = opts.vce or "unadjusted"
  set_vce(args, vce, f, fn)
  if #spec.endog > 0 then args.endog_test = opts.endog or endog_names end
  args.fuller, args.k, args.coviv, args.orthog = opts.fuller, opts.k, opts.coviv, opts.orthog
  if opts.weights then
    if not f:has(opts.weights) then
      local near = O.closest(opts.weights, f:names())
      raise("usage", fn, "weights: no variable '" .. opts.weights .. "'" ..
        (near and (" (did you mean '" .. near .. "'?)") or ""))
    end
    if f:types()[opts.weights] ~= "number" then
      raise("usage", fn, "weights: variable '" .. opts.weights .. "' is not numeric")
    end
    args.weights, args.wtype, args.weights_name = f[opts.weights], opts.wtype or "aweight", opts.weights
  end
  return args
end
M.spec_args, M.eval_term = spec_args, eval_term

local function fit_spec(spec, f, opts, sample, fn)
  local args = spec_args(spec, f, opts, fn)
  local vce = opts.vce or "unadjusted"
  local ok, r = pcall(tfp._ivfit, args)
  if not ok then   -- a data error: say which model, not where in this file
    if not is_error(r) then error(r, 0) end
    raise(r.code, fn, r.message .. "\n  in model " .. F.text(spec))
  end
  -- Collinearity notes and numerical warnings go to the terminal as Stata
  -- prints them; all notes stay in r.notes and print with the fit.
  for line in (r.notes or ""):gmatch("[^\n]+") do
    if line:match("^note:") or line:match("^warning:") then
      warn(fn, (sample and sample ~= "Full" and (" [" .. sample .. "]") or ""), ": ", line)
    end
  end
  r.depvar = spec.depvar.label
  r.formula = F.text(spec)
  r.fe = spec.fe
  r.sample = sample
  r.rhs = spec.rhs
  r.cluster = type(vce) == "table" and vce.cluster or nil
  r.vce_label = vce_label(vce, r)
  r.weights, r.orthog = opts.weights, opts.orthog
  if #spec.endog == 0 and r.method ~= "ols" then r.method = "ols" end
  return setmetatable(r, Fit)
end

------------------------------------------------------------------ models

local function copy(t)
  local c = {}
  for k, v in pairs(t or {}) do c[k] = v end
  return c
end

-- Options that belong to one estimator are refused with any other, not
-- ignored (ivreg2 refuses them too).
local KCLASS = {liml = true, fuller = true, kclass = true}
local function check_estimator(opts, fn)
  local method = opts.method or "2sls"
  if opts.fuller ~= nil and method ~= "fuller" then
    raise("usage", fn, "option 'fuller' applies to method = 'fuller', not '" .. method .. "'")
  end
  if opts.k ~= nil and method ~= "kclass" then
    raise("usage", fn, "option 'k' applies to method = 'kclass', not '" .. method .. "'")
  end
  if method == "kclass" and opts.k == nil then
    raise("usage", fn, "method = 'kclass' needs option k (the k of the k-class estimator)")
  end
  if opts.coviv and not KCLASS[method] then
    raise("usage", fn, "option 'coviv' applies to method = 'liml', 'fuller' or 'kclass', not '" .. method .. "'")
  end
  if opts.wtype ~= nil and not opts.weights then
    raise("usage", fn, "option 'wtype' needs option weights = 'variable'")
  end
end

--- tfp.model(formula, opts) -> model. opts: see the registry (lua/options.lua):
-- method, vce, small, split, fsplit, split_order, endog, absorb_all.
function M.new(formula, opts, macros, base, fn, checked)
  if type(formula) ~= "string" then
    raise("usage", fn or "tfp.model", "the formula must be a string such as 'y ~ x | city + year', got a " ..
      type(formula))
  end
  if not checked then
    opts = O.check(fn or "tfp.model", opts)
    check_estimator(opts, fn or "tfp.model")
  end
  local m = setmetatable({formula = formula, opts = opts, macros = macros}, Model)
  m.specs = F.parse(formula, macros, base)
  return m
end

function Model:update(formula)
  local m = M.new(formula, self.opts, self.macros, self.specs[1], "m:update", true)
  m.formula = F.text(m.specs[1])
  return m
end

function Model:with(changes)
  local opts = copy(self.opts)
  for k, v in pairs(O.check("m:with", changes, true)) do opts[k] = v end
  check_estimator(opts, "m:with")
  local m = setmetatable(copy(self), Model)
  m.opts = opts
  return m
end

-- Samples to fit: the full frame and/or one frame per value of the split
-- variable, in order of first appearance (the data's own order of regions).
local function samples(f, opts, fn)
  local var = opts.split or opts.fsplit
  local out = {}
  if not var or opts.fsplit then out[1] = {name = "Full", frame = f} end
  if var then
    if not f:has(var) then
      local near = O.closest(var, f:names())
      raise("usage", fn, (opts.split and "split" or "fsplit") .. ": no variable '" .. var .. "'" ..
        (near and (" (did you mean '" .. near .. "'?)") or ""))
    end
    local order, seen = {}, {}
    local v = f[var]
    for i = 1, #v do
      local x = v[i]
      if x ~= nil and not seen[x] then seen[x] = true; order[#order + 1] = x end
    end
    for _, x in ipairs(opts.split_order or order) do
      local name = math.type(x) == "float" and x == math.floor(x) and string.format("%d", x) or tostring(x)
      out[#out + 1] = {name = name, frame = f:where{[var] = x}}
    end
  end
  return out
end
M.samples = samples

--- m:on(frame) (also m:fit): one fit, or a collection for splits and sw()/csw().
function Model:on(f, fn)
  fn = fn or "m:on"
  if not O.is_frame(f) then
    raise("usage", fn, "expected a frame to fit on, got a " .. type(f))
  end
  local list = {}
  for _, s in ipairs(samples(f, self.opts, fn)) do
    for _, spec in ipairs(self.specs) do
      list[#list + 1] = fit_spec(spec, s.frame, self.opts, s.name, fn)
    end
  end
  if #list == 1 then return list[1] end
  return setmetatable({list = list}, Fits)
end
Model.fit = Model.on

function Model:__tostring()
  local lines = {}
  for _, s in ipairs(self.specs) do lines[#lines + 1] = "model: " .. F.text(s) end
  return table.concat(lines, "\n")
end

------------------------------------------------------------ collections

-- fits[i]: the i-th fit; fits.East / fits["East"]: that sample's fits (one
-- fit when there is one right-hand side); fits:rhs(k): the k-th model of a
-- sw()/csw() family across samples.
function Fits.__index(self, key)
  if type(key) == "number" then return rawget(self, "list")[key] end
  if Fits[key] then return Fits[key] end
  local sub = {}
  for _, fit in ipairs(rawget(self, "list")) do
    if fit.sample == key then sub[#sub + 1] = fit end
  end
  if #sub == 0 then return nil end
  if #sub == 1 then return sub[1] end
  return setmetatable({list = sub}, Fits)
end

function Fits.__len(self) return #rawget(self, "list") end

function Fits:rhs(k)
  local sub = {}
  for _, fit in ipairs(rawget(self, "list")) do
    if fit.rhs == k then sub[#sub + 1] = fit end
  end
  return #sub == 1 and sub[1] or setmetatable({list = sub}, Fits)
end

function Fits:fits() return rawget(self, "list") end

function Fits.__tostring(self)
  local parts = {}
  for _, fit in ipairs(rawget(self, "list")) do parts[#parts + 1] = tostring(fit) end
  return table.concat(parts, "\n")
end

-------------------------------------------------------------------- fits

local function fmt(x, spec)
  if x == nil or x ~= x then return "." end
  return string.format(spec or "%.4f", x)
end

local METHOD = {["2sls"] = "IV (2SLS)", gmm = "2-step efficient GMM", ols = "OLS", liml = "LIML",
  fuller = "Fuller LIML", kclass = "k-class"}

--- The AR set as text: [lo, hi], (-inf, a] U [b, inf), (-inf, inf), empty.
function M.ar_set_text(set, spec)
  local function num(x)
    if x == math.huge then return "inf" elseif x == -math.huge then return "-inf" end
    return string.format(spec or "%.3f", x)
  end
  if set.type == "empty" then return "empty" end
  local parts = {}
  for _, p in ipairs(set.pieces or {}) do
    parts[#parts + 1] = (p[1] == -math.huge and "(" or "[") .. num(p[1]) .. ", " .. num(p[2]) ..
      (p[2] == math.huge and ")" or "]")
  end
  return table.concat(parts, " U ")
end

function Fit.__tostring(r)
  local out = {}
  local function add(...) out[#out + 1] = string.format(...) end
  local title = (METHOD[r.method] or r.method) .. " estimation" ..
    (#(r.fe or {}) > 0 and (", fixed effects: " .. table.concat(r.fe, " + ")) or "") ..
    (r.sample and r.sample ~= "Full" and (", sample: " .. r.sample) or "")
  add("%s", title)
  add("Dependent variable: %-20s Number of obs = %d%s", r.depvar,
    r.N or 0, r.N_g and string.format(", groups = %d", r.N_g) or "")
  local vce = r.vce_label or (r.vce == "cluster" and ("cluster " .. (r.cluster or "")) or r.vce)
  if r.weights then vce = vce .. ", " .. (r.wtype or "aweight") .. " " .. r.weights end
  if r.kclass then
    add("k = %s%s%s", fmt(r.kclass, "%.6f"), r.lambda and (", lambda = " .. fmt(r.lambda, "%.6f")) or "",
      r.fuller and (", Fuller's a = " .. fmt(r.fuller, "%g")) or "")
  end
  -- a long VCE label (Driscoll-Kraay, two-way with a kernel) gets its own line
  if #vce > 34 then add("VCE: %s", vce); vce = "" end
  add("%-39s R2 = %s%s", vce == "" and "" or "VCE: " .. vce, fmt(r.r2), (r.N_dropped or 0) > 0 and
    string.format(", obs dropped = %d", r.N_dropped) or "")
  if r.bw_auto then add("     Automatic bw selection according to Newey-West (1994): bw = %g", r.bw) end
  local stat = r.small and "t" or "z"
  local rule = string.rep("-", 72)
  add("%s", rule)
  add("%20s  %11s  %11s  %8s  %8s", "", "Coef.", "Std. Err.", stat, "P>|" .. stat .. "|")
  add("%s", rule)
  for _, name in ipairs(r.names or {}) do
    add("%20s  %11s  %11s  %8s  %8s", name:sub(1, 20), fmt(r.coef[name], "%.6g"), fmt(r.se[name], "%.6g"),
      fmt(r.t[name], "%.2f"), fmt(r.p[name], "%.3f"))
  end
  add("%s", rule)
  if r.kp_lm then
    add("Underidentification: %s = %s (p = %s)", r.vce == "unadjusted" and "Anderson canon. corr. LM" or
      "Kleibergen-Paap rk LM", fmt(r.kp_lm, "%.3f"), fmt(r.kp_lm_p))
    add("Weak identification: Cragg-Donald Wald F = %s, Kleibergen-Paap rk Wald F = %s",
      fmt(r.cd_f, "%.3f"), fmt(r.kp_f, "%.3f"))
    if type(r.stock_yogo) == "table" then
      local sy = {}
      for _, cv in ipairs(r.stock_yogo) do sy[#sy + 1] = string.format("%s %s", cv.label or "", fmt(cv.value, "%.2f")) end
      if #sy > 0 then add("  Stock-Yogo critical values: %s", table.concat(sy, "; ")) end
      if #sy > 0 and r.fuller and r.fuller > 0 then add("  NB: Critical values based on Fuller parameter=1") end
    end
    if r.hansen_df and r.hansen_df > 0 then
      add("%s = %s (p = %s, df = %d)", r.vce == "unadjusted" and "Sargan statistic" or "Hansen J statistic",
        fmt(r.hansen_j, "%.3f"), fmt(r.hansen_j_p), r.hansen_df)
    else
      add("Hansen J statistic: exactly identified")
    end
    if r.endog then
      add("Endogeneity (C statistic, Durbin-Wu-Hausman): chi2(%d) = %s (p = %s)", r.endog_df or 0,
        fmt(r.endog, "%.3f"), fmt(r.endog_p))
    end
    if r.dm then add("Davidson-MacKinnon exogeneity test: %s (p = %s)", fmt(r.dm, "%.3f"), fmt(r.dm_p)) end
    if r.arubin and (r.arubin_df or 0) > 0 then
      add("Anderson-Rubin overidentification (LIML): LR chi2(%d) = %s (p = %s), linearized %s (p = %s)",
        r.arubin_df, fmt(r.arubin, "%.3f"), fmt(r.arubin_p), fmt(r.arubin_lin, "%.3f"), fmt(r.arubin_lin_p))
    end
    if r.cstat then
      add("Orthogonality of %s (C statistic): chi2(%d) = %s (p = %s)", table.concat(r.orthog or {}, " "),
        r.cstat_df or 0, fmt(r.cstat, "%.3f"), fmt(r.cstat_p))
    end
    if r.ar_set then
      add("Weak-IV-robust: Anderson-Rubin 95%% set %s; effective F (Montiel Olea-Pflueger) = %s, " ..
        "critical value (tau = 10%%) %s", M.ar_set_text(r.ar_set, "%.4g"), fmt(r.eff_f, "%.3f"), fmt(r.eff_f_cv, "%.2f"))
    end
  end
  if r.dropped and #r.dropped > 0 then add("Dropped as collinear: %s", table.concat(r.dropped, ", ")) end
  for line in (r.notes or ""):gmatch("[^\n]+") do add("%s", line) end
  return table.concat(out, "\n")
end
Fit.__name = "tfp.fit"
Fit.__index = Fit

--- r:ar_test(b0) -> {f, f_p, chi2, chi2_p, df1, df2}: the Anderson-Rubin test of
-- beta = b0 for the one endogenous regressor, under the fit's VCE (at b0 = 0,
-- r.ar_f and r.ar_chi2).
function Fit:ar_test(b0)
  if type(b0) ~= "number" then
    raise("usage", "r:ar_test", "b0 must be a number (the hypothesised coefficient), got a " .. type(b0))
  end
  if not rawget(self, "_weak") then
    raise("usage", "r:ar_test", "the Anderson-Rubin test of any b0 needs exactly one endogenous regressor" ..
      " (this fit has " .. (self.K1 or 0) .. ")")
  end
  return tfp._ar_test(self._weak, b0)
end

------------------------------------------------------------ installation

function M.install(lib)
  local macros = {}
  tfp = lib
  raise = tfp._raise
  F.raise = tfp._raise

  --- tfp.controls{name = "formula terms", ...}: control sets used as ..name;
  -- tfp.controls() returns the sets defined so far.
  function tfp.controls(sets)
    if sets == nil then return copy(macros) end
    for k, v in pairs(O.check("tfp.controls", sets)) do macros[k] = v end
  end

  function tfp.model(formula, opts)
    return M.new(formula, opts, copy(macros), nil, "tfp.model")
  end

  function tfp.ivreg(f, formula, opts)
    return M.new(formula, opts, copy(macros), nil, "tfp.ivreg"):on(f, "tfp.ivreg")
  end

  M.Fit, M.Fits, M.Model = Fit, Fits, Model
end

return M
