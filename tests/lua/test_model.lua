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

check.done()
