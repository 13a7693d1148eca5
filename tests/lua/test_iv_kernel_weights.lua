-- aweights and pweights with kernel VCEs, as ivreg2 (m_omega) weighs them,
-- against refs/weighted_hac (R sandwich and ivreg2's AC formula; see its
-- README): 1e-8 relative. fweights are refused with kernels, as in ivreg2.
local check = dofile("lua/check.lua")
local ts = tfp.read_csv("refs/stata-ivreg2/ts_hac_data.csv")
local wt = {}
for i = 1, #ts.t do wt[i] = 0.5 + (ts.t[i] % 7) / 4 end
ts.wt = wt

local function ref(case)
  local f = tfp.read_csv("refs/weighted_hac/weighted_hac_expected.csv", {string = {"case", "term"}})
  local t = {}
  for i = 1, #f.case do if f.case[i] == case then t[f.term[i]] = f.std_error[i] end end
  return t
end

local function same(got, want, what)
  for term, se in pairs(want) do
    check.truthy(math.abs(got[term] - se) <= 1e-8 * se,
      string.format("%s se %s: %.15g, want %.15g", what, term, got[term], se))
  end
end

check.test("HAC with pweights and with aweights is R sandwich's NeweyWest on the weighted fit", function()
  for _, wtype in ipairs({"pweight", "aweight"}) do
    local r = tfp.ivreg(ts, "y ~ x + w", {vce = {hac = "bartlett", bw = 4, time = "t"}, weights = "wt",
      wtype = wtype})
    same(r.se, ref(wtype == "pweight" and "pw_hac" or "aw_hac"), wtype .. " HAC")
  end
end)

check.test("AC with aweights weighs each lag's pair by w_t w_s, as ivreg2's m_omega", function()
  local r = tfp._ivfit({y = ts.y, y_name = "y", exog = {ts.x, ts.w}, exog_names = {"x", "w"},
    vce = "unadjusted", kernel = "bartlett", bw = 4, time = ts.t, time_name = "t",
    weights = ts.wt, weights_name = "wt"})
  same(r.se, ref("aw_ac"), "aweight AC")
end)

check.test("equal aweights give the unweighted kernel VCEs (HAC, AC, Driscoll-Kraay, auto bw)", function()
  ts.three = ts.x * 0 + 3
  local m = "y ~ w | x ~ z1 + z2"
  for _, v in ipairs({{hac = "bartlett", bw = 4, time = "t"}, {hac = "qs", bw = "auto", time = "t"}}) do
    local a, b = tfp.ivreg(ts, m, {vce = v}), tfp.ivreg(ts, m, {vce = v, weights = "three"})
    check.truthy(math.abs(a.bw - b.bw) <= 1e-9 * a.bw, "same bandwidth")
    for term, se in pairs(a.se) do check.truthy(math.abs(b.se[term] - se) <= 1e-9 * se, "se " .. term) end
  end
  local spec = {y = ts.y, y_name = "y", exog = {ts.w}, exog_names = {"w"}, endog = {ts.x}, endog_names = {"x"},
    inst = {ts.z1, ts.z2}, inst_names = {"z1", "z2"}, vce = "unadjusted", kernel = "parzen", bw = 3,
    time = ts.t, time_name = "t"}
  local a = tfp._ivfit(spec)
  spec.weights, spec.weights_name = ts.three, "three"
  local b = tfp._ivfit(spec)
  for term, se in pairs(a.se) do check.truthy(math.abs(b.se[term] - se) <= 1e-9 * se, "AC se " .. term) end
  local wp = tfp.read_csv("refs/stata-ivreg2/wp_ck_data.csv")
  wp:panel("nr", "year")
  wp.two = wp.year * 0 + 2
  local pm = "lwage ~ exper + expersq + married + union | hours ~ educ + black"
  local dk, dkw = tfp.ivreg(wp, pm, {vce = {dkraay = 2}}), tfp.ivreg(wp, pm, {vce = {dkraay = 2}, weights = "two"})
  for term, se in pairs(dk.se) do check.truthy(math.abs(dkw.se[term] - se) <= 1e-9 * se, "DK se " .. term) end
end)

check.test("fweights with a kernel VCE are a usage error that says why (ivreg2 refuses them)", function()
  ts.fw = ts.x * 0 + 2
  local ok, e = pcall(tfp.ivreg, ts, "y ~ x + w", {vce = {hac = "bartlett", bw = 4, time = "t"}, weights = "fw",
    wtype = "fweight"})
  check.truthy(not ok and e.code == "usage", "refused")
  check.truthy(tostring(e):find("fweights with a kernel VCE", 1, true) and tostring(e):find("ivreg2", 1, true),
    tostring(e))
end)

check.done()
