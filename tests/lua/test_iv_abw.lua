-- bw = "auto": ivreg2's Newey-West (1994) bandwidth, against refs/nw94
-- (sandwich::bwNeweyWest with ivreg2's pre-bandwidth; see its README):
-- 1e-8 relative.
local check = dofile("lua/check.lua")
local ts = tfp.read_csv("refs/stata-ivreg2/ts_hac_data.csv")
local MODEL = {iv_overid = "y ~ w | x ~ z1 + z2", iv_justid = "y ~ w | x ~ z1", ols = "y ~ x + w"}

local function auto(kernel, model)
  return tfp.ivreg(ts, model, {vce = {hac = kernel, bw = "auto", time = "t"}})
end

check.test("the automatic bandwidth is Newey-West's as ivreg2 computes it (R sandwich reference)", function()
  local ref = tfp.read_csv("refs/nw94/nw94_bw_expected.csv", {string = {"case", "kernel"}})
  check.eq(#ref.case, 9, "nine reference cases")
  for i = 1, #ref.case do
    local r = auto(ref.kernel[i], MODEL[ref.case[i]])
    local what = ref.case[i] .. " " .. ref.kernel[i]
    check.truthy(r.bw_auto, what .. ": r.bw_auto")
    check.truthy(math.abs(r.bw - ref.bw[i]) <= 1e-8 * ref.bw[i],
      string.format("%s: bw %.15g, want %.15g", what, r.bw, ref.bw[i]))
  end
end)

check.test("a fit with the automatic bandwidth is the fit with that bandwidth given", function()
  for _, k in ipairs({"bartlett", "parzen", "qs"}) do
    local a = auto(k, MODEL.iv_overid)
    local g = tfp.ivreg(ts, MODEL.iv_overid, {vce = {hac = k, bw = a.bw, time = "t"}})
    check.truthy(not g.bw_auto, k .. ": a given bandwidth is not automatic")
    for term, se in pairs(a.se) do
      check.truthy(math.abs(se - g.se[term]) <= 1e-12 * se, k .. " se " .. term)
    end
  end
end)

check.test("print(r) says the bandwidth was chosen automatically, as ivreg2 does", function()
  local text = tostring(auto("bartlett", MODEL.iv_overid))
  check.truthy(text:find("Automatic bw selection according to Newey-West (1994): bw = 19", 1, true), text)
  local given = tostring(tfp.ivreg(ts, MODEL.iv_overid, {vce = {hac = "bartlett", bw = 3, time = "t"}}))
  check.truthy(not given:find("Automatic", 1, true), "no such line with a given bandwidth")
end)

check.test("bw = 'auto' with a kernel Newey-West do not cover is a usage error naming the kernel", function()
  for _, k in ipairs({"truncated", "thanning", "thamming", "daniell", "tent"}) do
    local ok, err = pcall(auto, k, MODEL.iv_overid)
    check.truthy(not ok, k .. " refused")
    check.eq(err.code, "usage", k .. ": usage error")
    local names = {truncated = "truncated", thanning = "Tukey-Hanning", thamming = "Tukey-Hamming",
      daniell = "Daniell", tent = "tent"}
    check.truthy(tostring(err):find("not the " .. names[k] .. " kernel", 1, true), tostring(err))
  end
end)

check.test("bw = 'auto' is refused with panel data as ivreg2 does; Driscoll-Kraay takes the period sums", function()
  local wp = tfp.read_csv("refs/stata-ivreg2/wp_ck_data.csv")
  wp:panel("nr", "year")
  local m = "lwage ~ exper + expersq + married + union | hours ~ educ + black"
  local ok, err = pcall(tfp.ivreg, wp, m, {vce = {hac = "bartlett", bw = "auto"}})
  check.truthy(not ok and tostring(err):find("not available for panel data", 1, true), tostring(err))
  ok, err = pcall(tfp.ivreg, wp, m, {vce = {cluster = {"nr", "year"}, kernel = "bartlett", bw = "auto"}})
  check.truthy(not ok and tostring(err):find("Thompson", 1, true), tostring(err))
  local dk = tfp.ivreg(wp, m, {vce = {dkraay = "auto"}})
  check.truthy(dk.bw_auto and dk.bw >= 1 and dk.bw == math.floor(dk.bw), "Driscoll-Kraay: an integer bw " .. dk.bw)
  -- 8 years: mstar = trunc(20 (8/100)^(2/9)) = 11, so the lag is at most 11
  check.truthy(dk.bw <= 12, "at most mstar + 1")
end)

check.test("help(tfp.ivreg) documents bw = 'auto'", function()
  local O = require("tfp.options")
  check.truthy(O.help("tfp.ivreg"):find("bw = 'auto'", 1, true), "help mentions bw = 'auto'")
end)

check.done()
