-- The model layer end to end: formula -> vectors -> tfp._ivfit, checked
-- against Stata's ivreg2 on the Card data (tests/refs/stata-ivreg2, README),
-- then splits, sw/csw families, update/with/on.
local check = dofile("lua/check.lua")

local card = tfp.read_csv("refs/stata-ivreg2/card_data.csv")

-- ref[file][term] = {estimate, std_error}; diagnostics as a name -> value map.
local function read_coef(name)
  local f = tfp.read_csv("refs/stata-ivreg2/" .. name .. ".csv")
  local out, terms, est, se = {}, f.term, f.estimate, f.std_error
  for i = 1, #terms do out[terms[i]] = {est[i], se[i]} end
  return out
end
local function read_diag(name)
  local f = tfp.read_csv("refs/stata-ivreg2/" .. name .. ".csv")
  local out = {}
  for _, col in ipairs(f:names()) do out[col] = f[col][1] end
  return out
end

local OVERID = "lwage ~ exper + expersq + black + south | educ ~ nearc2 + nearc4"

local function compare(r, coef_file, tol)
  local ref = read_coef(coef_file)
  for term, v in pairs(ref) do
    local name = term == "_cons" and "_cons" or term
    check.near(r.coef[name], v[1], tol, coef_file .. " coef " .. term)
    check.near(r.se[name], v[2], tol, coef_file .. " se " .. term)
  end
end

check.test("2SLS with robust VCE through a formula matches ivreg2 (card_overid hc1)", function()
  local r = tfp.ivreg(card, OVERID, {vce = "robust"})
  compare(r, "card_overid_coef_hc1", 1e-6)
  local d = read_diag("card_overid_diagnostics_hc1")
  check.eq(r.N, d.N)
  check.near(r.hansen_j, d.j, 1e-6, "Hansen J"); check.near(r.kp_lm, d.idstat, 1e-6, "KP rk LM")
  check.near(r.kp_f, d.widstat, 1e-6, "KP rk Wald F"); check.near(r.cd_f, d.cdf, 1e-6, "Cragg-Donald F")
  check.near(r.endog, d.estat, 1e-6, "endog() C statistic")
end)

check.test("two-step GMM with cluster VCE matches ivreg2 (card_overid_gmm2s cluster(age))", function()
  local r = tfp.ivreg(card, OVERID, {method = "gmm", vce = {cluster = "age"}})
  compare(r, "card_overid_gmm2s_coef_cluster", 1e-6)
end)

check.test("small-sample statistics match ivreg2's small option (card_overid iid small)", function()
  local r = tfp.ivreg(card, OVERID, {small = true})
  compare(r, "card_overid_coef_iid_small", 1e-6)
end)

check.test("update swaps one control and changes nothing else", function()
  local m = tfp.model(OVERID, {vce = "robust"})
  local r1 = m:on(card)
  local r2 = m:update(". ~ . - south + smsa"):on(card)
  local n1, n2 = table.concat(r1.names, " "), table.concat(r2.names, " ")
  check.eq(n1:gsub("south", "smsa"), n2, "names")
  check.eq(r1.N, r2.N)
  check.truthy(r1.coef.educ ~= r2.coef.educ, "the refit differs")
end)

check.test("with changes an option and keeps the formula", function()
  local m = tfp.model(OVERID)
  local r = m:with{vce = "robust"}:on(card)
  compare(r, "card_overid_coef_hc1", 1e-6)
end)

check.test("csw fits one model per step, indexable by right-hand side", function()
  local fits = tfp.ivreg(card, "lwage ~ exper + csw(expersq, black) | educ ~ nearc4")
  check.eq(#fits, 2)
  check.eq(#fits[1].names, 4)   -- educ exper expersq _cons
  check.eq(#fits:rhs(2).names, 5)
end)

check.test("split fits one model per value and fsplit adds the full sample", function()
  local fits = tfp.ivreg(card, "lwage ~ exper | educ ~ nearc4", {fsplit = "south"})
  check.eq(#fits, 3)
  check.eq(fits.Full.N, fits["0"].N + fits["1"].N)
end)

check.test("absorbing every fixed effect gives the coefficients of year dummies", function()
  local f = require("tfp.study").build(tfp.data("cities"))
  local formula = "TFP ~ STR + GOV | city + year | SAGG_H ~ L1.SAGG_H + L2.SAGG_H"
  local a = tfp.ivreg(f, formula, {vce = "robust"})
  local b = tfp.ivreg(f, formula, {vce = "robust", absorb_all = true})
  for _, name in ipairs({"SAGG_H", "STR", "GOV"}) do check.near(b.coef[name], a.coef[name], 1e-8, name) end
  check.eq(b.coef.year_2006, nil, "no year dummies when absorbed")
end)

check.test("options that are not tables are named in the error", function()
  check.errors(function() tfp.model("y ~ x", 5) end, "tfp.model: options must be a table {name = value, ...}, got a number")
  check.errors(function() tfp.controls(5) end, "tfp.controls: control sets must be a table")
end)

-- LIML, Fuller, k-class, weights and orthog() through formulas: one fixture each.
local function diag_near(r, d, fields, tol, what)
  for field, col in pairs(fields) do check.near(r[field], d[col], tol, what .. " " .. col) end
end

check.test("LIML through a formula matches ivreg2's liml (card_liml_overid iid)", function()
  local r = tfp.ivreg(card, OVERID, {method = "liml"})
  compare(r, "card_liml_overid_coef_iid", 1e-6)
  diag_near(r, read_diag("card_liml_overid_diagnostics_iid"), {lambda = "lambda", kclass = "kclass",
    sargan = "sargan", arubin = "arubin", arubin_lin = "arubin_lin", F = "F_stat"}, 1e-6, "liml")
  check.eq(r.method, "liml")
end)

check.test("Fuller's LIML with robust VCE matches ivreg2's fuller(1) robust (card_fuller1_overid hc1)", function()
  local r = tfp.ivreg(card, OVERID, {method = "fuller", fuller = 1, vce = "robust"})
  compare(r, "card_fuller1_overid_coef_hc1", 1e-6)
  diag_near(r, read_diag("card_fuller1_overid_diagnostics_hc1"), {kclass = "kclass", hansen_j = "j"}, 1e-6, "fuller")
  check.eq(r.method, "fuller")
end)

check.test("a k-class estimate with small statistics matches ivreg2's kclass(0.5) small", function()
  local r = tfp.ivreg(card, OVERID, {method = "kclass", k = 0.5, small = true})
  compare(r, "card_kclass_half_coef_iid_small", 1e-6)
end)

check.test("coviv gives LIML the 2SLS bread: sigma2_liml / sigma2_2sls times the 2SLS VCE (iid)", function()
  local l = tfp.ivreg(card, OVERID, {method = "liml", coviv = true})
  local t = tfp.ivreg(card, OVERID)
  local ratio = l.rss / t.rss
  for _, a in ipairs(t.names) do
    for _, b in ipairs(t.names) do check.near(l.V[a][b], t.V[a][b] * ratio, 1e-9, "V " .. a .. " " .. b) end
  end
  check.truthy(l.coviv, "coviv reported")
end)

local WEIGHTED = "lwage ~ exper + expersq + black + south | educ ~ nearc4 + nearc2"
check.test("analytic weights with robust VCE match ivreg2 [aw=weight], robust", function()
  local r = tfp.ivreg(card, WEIGHTED, {weights = "weight", vce = "robust"})
  compare(r, "card_aweight_overid_coef_hc1", 1e-6)
  diag_near(r, read_diag("card_aweight_overid_diagnostics_hc1"), {hansen_j = "j", kp_f = "widstat", r2 = "r2"},
    1e-6, "aweight")
end)

check.test("frequency weights count observations as ivreg2 [fw=weight]", function()
  local r = tfp.ivreg(card, WEIGHTED, {weights = "weight", wtype = "fweight", small = true})
  compare(r, "card_fweight_overid_coef_iid_small", 1e-6)
  check.eq(r.N, 966767623)
end)

check.test("sampling weights imply the robust VCE as ivreg2 [pw=weight]", function()
  local r = tfp.ivreg(card, WEIGHTED, {weights = "weight", wtype = "pweight"})
  compare(r, "card_pweight_overid_coef_hc0", 1e-6)
  check.eq(r.vce, "robust")
end)

check.test("orthog() through a formula matches ivreg2's C statistic (card_orthog1 hc1)", function()
  local r = tfp.ivreg(card, "lwage ~ exper + expersq | educ ~ nearc2 + nearc4", {vce = "robust", orthog = "nearc2"})
  local d = read_diag("card_orthog1_orthog_hc1")
  check.near(r.cstat, d.cstat, 1e-6, "cstat"); check.near(r.cstat_p, d.cstatp, 1e-6, "cstat p")
  check.eq(r.cstat_df, d.cstatdf)
end)

check.test("estimator options that do not apply are refused", function()
  check.errors(function() tfp.ivreg(card, OVERID, {fuller = 1}) end, "option 'fuller' applies to method = 'fuller'")
  check.errors(function() tfp.ivreg(card, OVERID, {k = 0.5}) end, "option 'k' applies to method = 'kclass'")
  check.errors(function() tfp.ivreg(card, OVERID, {method = "kclass"}) end, "method = 'kclass' needs option k")
  check.errors(function() tfp.ivreg(card, OVERID, {coviv = true}) end, "option 'coviv' applies to method")
  check.errors(function() tfp.ivreg(card, OVERID, {wtype = "fweight"}) end, "option 'wtype' needs option weights")
  check.errors(function() tfp.model(OVERID):with{k = 1} end, "option 'k' applies to method = 'kclass'")
  check.errors(function() tfp.ivreg(card, OVERID, {weights = "wieght"}) end, "did you mean 'weight'")
  check.errors(function() tfp.ivreg(card, OVERID, {orthog = "educ"}) end, "orthog: 'educ' is not an instrument")
end)

check.done()
