-- tfp._ivfit (the C fit behind tfp.ivreg) and tfp.ivreg on Stata ivreg2
-- references (refs/stata-ivreg2): values compared to 1e-6 relative.
local check = dofile("lua/check.lua")
assert(tfp._ivfit, "tfp._ivfit missing: lua_iv.o not linked (tfp_open_iv is declared weak in "
  .. "lua_tfp.c and tfpbind is a static library, so the weak reference does not pull it in)")
local REF = "refs/stata-ivreg2/"
local card = tfp.read_csv(REF .. "card_data.csv")

local function ref_row(file)            -- first row of a diagnostics file as a table
  local f = tfp.read_csv(REF .. file)
  local t = {}
  for _, name in ipairs(f:names()) do t[name] = f[name][1] end
  return t
end

local function ref_coef(file)           -- term -> {estimate, std_error}
  local f = tfp.read_csv(REF .. file, {string = {"term"}})
  local t = {}
  for i = 1, #f.term do t[f.term[i]] = {f.estimate[i], f.std_error[i]} end
  return t
end

local function rel(got, want, what)
  check.truthy(type(got) == "number", what .. " is a number")
  check.truthy(math.abs(got - want) <= 1e-6 * math.abs(want), string.format("%s: got %.15g, want %.15g", what, got, want))
end

local function card_spec(extra)
  local s = {
    y = card.lwage, y_name = "lwage",
    exog = {card.exper, card.expersq, card.black, card.south},
    exog_names = {"exper", "expersq", "black", "south"},
    endog = {card.educ}, endog_names = {"educ"},
    inst = {card.nearc2, card.nearc4}, inst_names = {"nearc2", "nearc4"},
    endog_test = {"educ"},
  }
  for k, v in pairs(extra or {}) do s[k] = v end
  return s
end

check.test("_ivfit reproduces ivreg2's robust overidentified 2SLS on the Card data", function()
  local r = tfp._ivfit(card_spec{vce = "robust"})
  local c, d = ref_coef("card_overid_coef_hc1.csv"), ref_row("card_overid_diagnostics_hc1.csv")
  for name, v in pairs(c) do
    rel(r.coef[name], v[1], "coef " .. name); rel(r.se[name], v[2], "se " .. name)
  end
  rel(r.hansen_j, d.j, "J"); rel(r.hansen_j_p, d.jp, "J p")
  rel(r.kp_lm, d.idstat, "KP LM"); rel(r.kp_f, d.widstat, "KP F"); rel(r.cd_f, d.cdf, "CD F")
  rel(r.endog, d.estat, "endog"); rel(r.rss, d.rss, "rss"); rel(r.r2, d.r2, "r2")
  check.eq(r.N, 3010); check.eq(r.hansen_df, 1); check.eq(r.names[1], "educ"); check.eq(r.names[6], "_cons")
  check.eq(r.method, "2sls"); check.eq(r.vce, "robust")
  check.near(r.V.educ.educ, r.se.educ ^ 2, 1e-15, "V")
end)

check.test("first-stage results are reported per endogenous regressor", function()
  local r = tfp._ivfit(card_spec{})
  local f = tfp.read_csv(REF .. "card_overid_firststage_iid.csv", {string = {"statistic"}})
  local want = {}
  for i = 1, #f.statistic do want[f.statistic[i]] = f.educ[i] end
  local fs = r.first.educ
  check.truthy(fs == r.first[1], "first[1] is first.educ")
  rel(fs.F, want.F, "F"); rel(fs.F_p, want.pvalue, "F p"); rel(fs.pr2, want.pr2, "partial R2")
  rel(fs.shea_pr2, want.sheapr2, "Shea R2"); rel(fs.rmse, want.rmse, "rmse")
  check.eq(fs.inst_names[1], "nearc2"); check.truthy(fs.coef.nearc4 > 0, "nearc4 raises schooling")
  check.eq(#r.stock_yogo, 4); check.eq(r.stock_yogo[1].value, 19.93)
  check.truthy(r.stock_yogo[1].label:find("10%", 1, true), "label says 10% size")
end)

check.test("gmm with clustering matches ivreg2's gmm2s cluster(age)", function()
  local r = tfp._ivfit(card_spec{method = "gmm", vce = "cluster", cluster = card.age, small = true})
  local c, d = ref_coef("card_overid_gmm2s_coef_cluster_small.csv"), ref_row("card_overid_gmm2s_diagnostics_cluster_small.csv")
  for name, v in pairs(c) do rel(r.coef[name], v[1], "coef " .. name); rel(r.se[name], v[2], "se " .. name) end
  rel(r.hansen_j, d.overid_stat, "J"); rel(r.kp_f, d.weak_id_kp_f, "KP F")
  check.truthy(r.N_clust > 1, "clusters counted")
  check.eq(r.df_r, r.N_clust - 1); check.eq(r.method, "gmm"); check.eq(r.small, true)
end)

check.test("plain Lua tables are accepted and missing values are dropped and counted", function()
  local function tab(v) local t = {} for i = 1, #v do t[i] = v[i] end return t end
  local s = card_spec{}
  s.y = {}
  for i = 1, #card.lwage do s.y[i] = (i == 5) and (0 / 0) or card.lwage[i] end
  s.exog = {tab(card.exper), tab(card.expersq), card.black, card.south}
  local r = tfp._ivfit(s)
  check.eq(r.N, 3009); check.eq(r.N_dropped, 1)
end)

check.test("the just-identified model has J = 0 with df 0 and no p value", function()
  local s = card_spec{}
  s.inst, s.inst_names = {card.nearc4}, {"nearc4"}
  local r = tfp._ivfit(s)
  check.eq(r.hansen_j, 0); check.eq(r.hansen_df, 0); check.eq(r.hansen_j_p, nil)
  check.eq(#r.stock_yogo, 4)
end)

check.test("tfp.ivreg with a formula gives the same fit as ivreg2", function()
  local r = tfp.ivreg(card, "lwage ~ exper + expersq + black + south | educ ~ nearc2 + nearc4", {vce = "robust"})
  local c = ref_coef("card_overid_coef_hc1.csv")
  for name, v in pairs(c) do rel(r.coef[name], v[1], "coef " .. name); rel(r.se[name], v[2], "se " .. name) end
end)

check.test("a collinear regressor is dropped and listed", function()
  local s = card_spec{}
  local twice = {}
  for i = 1, #card.exper do twice[i] = 2 * card.exper[i] end
  s.exog[5], s.exog_names[5] = twice, "exper2"
  local r = tfp._ivfit(s)
  check.eq(r.dropped[1], "exper2"); check.eq(r.coef.exper2, nil)
  check.truthy(r.notes:find("exper2 omitted because of collinearity", 1, true), "note")
end)

check.test("bad input raises errors that name the problem", function()
  check.errors(function() tfp._ivfit(card_spec{inst = {}, inst_names = {}}) end,
               "too few instruments: 0 excluded instrument(s) for 1 endogenous")
  check.errors(function() tfp._ivfit(card_spec{vce = "sandwich"}) end, "invalid option 'sandwich'")
  check.errors(function() tfp._ivfit(card_spec{vce = "cluster"}) end, "needs spec.cluster")
  check.errors(function() tfp._ivfit(card_spec{exog = {{1, 2, 3}}, exog_names = {"short"}}) end,
               "variable 'short' has 3 rows, y has 3010")
  check.errors(function() tfp._ivfit(card_spec{endog_test = {"exper"}}) end, "'exper' is not an endogenous regressor")
  check.errors(function() tfp._ivfit(card_spec{exog = {{"a"}}, exog_names = {"s"}}) end, "variable 's' row 1 is a string")
  check.errors(function() tfp._ivfit({}) end, "spec.y")
end)

-- A generated panel: 60 units x 7 years, unit and year effects, s endogenous,
-- instrumented by its first and second lags (the paper's design).
local function panel()
  local seed = 12345
  local function unif() seed = (seed * 1103515245 + 12345) % 2147483648; return (seed + 0.5) / 2147483648 end
  local function gauss() return math.sqrt(-2 * math.log(unif())) * math.cos(2 * math.pi * unif()) end
  local c = {unit = {}, year = {}, y = {}, s = {}, x1 = {}, x2 = {}}
  for i = 1, 60 do
    local a, sprev = gauss(), gauss()
    for t = 1, 7 do
      local u = gauss(); local v = 0.6 * u + 0.8 * gauss()
      local x1, x2 = gauss() + 0.3 * a, gauss()
      local s = 0.6 * sprev + 0.3 * x1 + a + v
      local k = #c.y + 1
      c.unit[k], c.year[k], c.x1[k], c.x2[k], c.s[k] = 100 + i, 2000 + t, x1, x2, s
      c.y[k] = s + 0.5 * x1 - 0.3 * x2 + 2 * a + 0.1 * t + u
      sprev = s
    end
  end
  local f = tfp.frame(c)
  f:panel("unit", "year")
  return f
end

check.test("tfp.ivreg with unit and year FE equals 2SLS with unit and year dummies (small)", function()
  local f = panel()
  local r = tfp.ivreg(f, "y ~ x1 + x2 | unit + year | s ~ L1.s + L2.s", {small = true})
  local lag1, lag2 = f:lag(f.s, 1), f:lag(f.s, 2)
  local lsdv = tfp._ivfit{y = f.y, y_name = "y", exog = {f.x1, f.x2}, exog_names = {"x1", "x2"},
    endog = {f.s}, endog_names = {"s"}, inst = {lag1, lag2}, inst_names = {"L1.s", "L2.s"},
    dummies = {f.unit, f.year}, dummy_names = {"unit", "year"}, small = true}
  for _, name in ipairs{"s", "x1", "x2"} do
    check.near(r.coef[name], lsdv.coef[name], 1e-9, "coef " .. name)
    check.near(r.se[name] / lsdv.se[name], 1, 1e-9, "se " .. name)
  end
  check.eq(r.N, 60 * 5); check.eq(r.N_g, 60); check.eq(r.N_dropped, 120); check.eq(r.coef._cons, nil)
end)

check.test("a variable name given as a number is kept as its text", function()
  local r = tfp._ivfit{y = tfp.vector{1, 2, 3, 5, 4, 6}, exog = {tfp.vector{1, 2, 3, 4, 5, 7}}, exog_names = {7}}
  collectgarbage()
  check.eq(r.names[1], "7")
end)

-- A number given as a name is converted to a string on the stack only; the
-- fit must keep that string alive. Here a minor collection runs after every
-- 1% of growth while 40 table columns are copied, so a dangling name is
-- freed before the fit reads it: garbage, or a heap-use-after-free report in
-- the sanitizer build.
local function numeric_name_spec()
  local n = 200
  local y, x, z1, z2, exog = {}, {}, {}, {}, {}
  for i = 1, n do
    z1[i], z2[i] = math.sin(i), math.cos(3 * i)
    x[i] = z1[i] + 0.5 * z2[i] + 0.3 * math.sin(7 * i)
    y[i] = 1 + 2 * x[i] + math.sin(11 * i) + 0.2 * math.sin(13 * i) * x[i]
  end
  for k = 1, 40 do
    local c = {}
    for i = 1, n do c[i] = math.sin(i * k + 0.5) end
    exog[k] = c
  end
  return {y = y, y_name = 12345, endog = {x}, endog_names = {678}, inst = {z1, z2}, exog = exog}
end
local function under_gc_pressure(fn)
  collectgarbage("generational", 1, 100)
  local ok, res = pcall(fn)
  collectgarbage("incremental")
  return ok, res
end
check.test("a numeric y_name stays alive to the error that names it", function()
  local spec = numeric_name_spec()
  spec.y[17] = math.huge
  local ok, err = under_gc_pressure(function() return tfp._ivfit(spec) end)
  check.eq(ok, false, "fit with an infinite y")
  check.truthy(tostring(err):find("variable '12345' is infinite at row 17", 1, true), "message " .. tostring(err))
end)
check.test("numeric endog() names stay alive through the fit", function()
  local spec = numeric_name_spec()
  spec.endog_test = {678, 678}
  local ok, r = under_gc_pressure(function() return tfp._ivfit(spec) end)
  check.truthy(ok, "fit: " .. tostring(r))
  check.eq(r.names[1], "678")
  check.eq(r.endog_df, 1)
  check.truthy(r.endog >= 0, "endog() statistic")
end)
check.test("an endog() list of 300 names is read to its end (no cap of 256)", function()
  local spec = numeric_name_spec()
  spec.endog_test = {}
  for k = 1, 299 do spec.endog_test[k] = "678" end
  spec.endog_test[300] = "nope"
  check.errors(function() tfp._ivfit(spec) end, "endog test: 'nope' is not an endogenous regressor")
  spec.endog_test[300] = "678"
  check.eq(tfp._ivfit(spec).endog_df, 1)
end)

check.test("tfp.ivreg's VCE tables reproduce ivreg2's two-way, HAC and Kiefer fits", function()
  local tw = tfp.read_csv(REF .. "sim_twoway_data.csv")
  local r = tfp.ivreg(tw, "y ~ x1 | endo1 ~ z1 + z2", {vce = {cluster = {"firm_id", "year_id"}}})
  local want = ref_coef("sim_twoway_coef_cl2.csv")
  for term, v in pairs(want) do rel(r.se[term], v[2], "two-way se " .. term) end
  check.eq(r.N_clust, 10); check.eq(r.N_clust1, 25); check.eq(r.N_clust2, 10)
  local ts = tfp.read_csv(REF .. "ts_hac_data.csv")
  r = tfp.ivreg(ts, "y ~ w | x ~ z1 + z2", {vce = {hac = "parzen", bw = 4, time = "t"}})
  for term, v in pairs(ref_coef("ts_hac_coef_parzen_bw4.csv")) do rel(r.se[term], v[2], "HAC se " .. term) end
  local wp = tfp.read_csv(REF .. "wp_ck_data.csv")
  wp:panel("nr", "year")
  r = tfp.ivreg(wp, "lwage ~ exper + expersq + married + union | hours ~ educ + black", {vce = "kiefer"})
  for term, v in pairs(ref_coef("wp_kiefer_coef_overid.csv")) do rel(r.se[term], v[2], "Kiefer se " .. term) end
  check.truthy(tostring(r):find("VCE: Kiefer", 1, true), "print(r) names the VCE")
end)

check.test("Driscoll-Kraay with bandwidth 1 is clusters by period; Thompson with bandwidth 1 is two-way", function()
  local wp = tfp.read_csv(REF .. "wp_ck_data.csv")
  wp:panel("nr", "year")
  local m = "lwage ~ exper + expersq + married + union | hours ~ educ + black"
  local dk, cl = tfp.ivreg(wp, m, {vce = {dkraay = 1}}), tfp.ivreg(wp, m, {vce = {cluster = "year"}})
  rel(dk.se.hours, cl.se.hours, "DK(1) = cluster(year)")
  check.eq(dk.N_clust, 8)
  local th = tfp.ivreg(wp, m, {vce = {cluster = {"year", "nr"}, kernel = "bartlett", bw = 1}})
  local two = tfp.ivreg(wp, m, {vce = {cluster = {"nr", "year"}}})
  rel(th.se.hours, two.se.hours, "Thompson(1) = two-way")
  check.truthy(tfp.ivreg(wp, m, {vce = {dkraay = 3}}).se.hours ~= cl.se.hours, "DK(3) uses lags")
end)

check.test("weights with two-way clusters match ivreg2 [aw=wt], cluster(firm_id year_id)", function()
  local tw = tfp.read_csv(REF .. "sim_twoway_data.csv")
  local r = tfp.ivreg(tw, "y ~ x1 | endo1 ~ z1 + z2", {vce = {cluster = {"firm_id", "year_id"}}, weights = "wt"})
  for term, v in pairs(ref_coef("sim_twoway_coef_cl2_wt.csv")) do
    rel(r.coef[term], v[1], "coef " .. term); rel(r.se[term], v[2], "se " .. term)
  end
  check.eq(r.N_clust, 10)
  check.truthy(r.ar_set == nil and tostring(r):find("not computed with weights", 1, true), "no AR set, noted")
end)

check.test("LIML with two-way clusters and Driscoll-Kraay; unverified combinations are refused", function()
  local wp = tfp.read_csv(REF .. "wp_ck_data.csv")
  wp:panel("nr", "year")
  local m = "lwage ~ exper + expersq + married + union | hours ~ educ + black"
  local dk = tfp.ivreg(wp, m, {method = "liml", vce = {dkraay = 1}})
  local cl = tfp.ivreg(wp, m, {method = "liml", vce = {cluster = "year"}})
  rel(dk.se.hours, cl.se.hours, "LIML DK(1) = cluster(year)")
  local two = tfp.ivreg(wp, m, {method = "liml", vce = {cluster = {"nr", "year"}}})
  check.truthy(two.lambda > 1 and two.se.hours > 0 and two.eff_f and not two.eff_f_cv, "LIML two-way, no 2SLS cv")
  local ok, e = pcall(tfp.ivreg, wp, m, {method = "liml", vce = "kiefer"})
  check.truthy(not ok and e.code == "usage" and e.message:find("Kiefer VCE are not supported", 1, true), tostring(e))
  wp.w = tfp.exp(wp.exper * 0)
  ok, e = pcall(tfp.ivreg, wp, m, {vce = {dkraay = 2}, weights = "w", wtype = "fweight"})
  check.truthy(not ok and e.code == "usage" and e.message:find("weights with a kernel VCE", 1, true), tostring(e))
end)

check.test("r:ar_test, r.ar_set, r.eff_f: as weakiv_card_expected.csv, in print(r) and tfp.table", function()
  local r = tfp.ivreg(card, "lwage ~ exper + expersq + black + south | educ ~ nearc2 + nearc4", {vce = "robust"})
  local t = r:ar_test(0.1)
  rel(t.f, 11.5815172349587, "AR F(b0 = 0.1)")
  rel(t.chi2, 23.2170275572599, "AR chi2(b0 = 0.1)")
  check.eq(t.df1, 2); check.eq(t.df2, 3003)
  rel(r:ar_test(0).f, r.ar_f, "ar_test(0) = ar_f")
  check.eq(r.ar_set.type, "interval")
  rel(r.ar_set.lower, 0.174543424472694, "AR set lower")
  rel(r.ar_set.upper, 0.360212955159881, "AR set upper")
  rel(r.ar_set_chi2.upper, 0.35984079664834, "AR chi2 set upper")
  rel(r.eff_f, 20.1031953097211, "effective F")
  rel(r.eff_f_cv, 19.4063840892641, "effective F critical value")
  check.truthy(tostring(r):find("Anderson-Rubin 95% set [0.1745, 0.3602]", 1, true), tostring(r))
  local tab = tostring(tfp.table({r}, {stats = {"ar_set", "eff_f", "eff_f_cv"}}))
  check.truthy(tab:find("[0.175, 0.360]", 1, true) and tab:find("20.103", 1, true), tab)
end)

check.test("a weak first stage gives an AR set of two rays or the whole line", function()
  -- y on x instrumented by an irrelevant z: the set is unbounded
  local n, x, z, y = 400, {}, {}, {}
  local s = 7
  local function u() s = (s * 16807) % 2147483647; return s / 2147483647 - 0.5 end
  for i = 1, n do z[i] = u(); x[i] = u() + 0.02 * z[i]; y[i] = x[i] + u() end
  local f = tfp.frame{y = y, x = x, z = z}
  local r = tfp.ivreg(f, "y ~ 1 | x ~ z")
  check.truthy(r.ar_set.type == "rays" or r.ar_set.type == "line", "unbounded: " .. r.ar_set.type)
  if r.ar_set.type == "rays" then
    check.truthy(r.ar_set.left_ray_upper < r.ar_set.right_ray_lower, "rays ordered")
    check.truthy(r:ar_test(r.ar_set.left_ray_upper - 1).f_p > 0.05, "left ray in the set")
    check.truthy(r:ar_test(0.5 * (r.ar_set.left_ray_upper + r.ar_set.right_ray_lower)).f_p <= 0.05, "gap outside")
  end
end)

check.done()
