-- Stock-Yogo critical values with k-class estimators, as ivreg2 shows them:
-- LIML size for LIML, Fuller relative and maximal bias (for a = 1) for
-- Fuller, none for another k.
local check = dofile("lua/check.lua")
local card = tfp.read_csv("refs/stata-ivreg2/card_data.csv")
local M = "lwage ~ exper + expersq + black + south | educ ~ nearc2 + nearc4"

check.test("LIML reports Stock-Yogo's LIML size critical values (K1 = 1, L1 = 2)", function()
  local r = tfp.ivreg(card, M, {method = "liml"})
  check.eq(#r.stock_yogo, 4)
  check.eq(r.stock_yogo[1].label, "10% maximal LIML size"); check.eq(r.stock_yogo[1].value, 8.68)
  check.eq(r.stock_yogo[4].label, "25% maximal LIML size"); check.eq(r.stock_yogo[4].value, 3.92)
  check.truthy(tostring(r):find("10% maximal LIML size 8.68", 1, true), "in print(r)")
end)

check.test("Fuller reports the Fuller bias critical values, noting they are for a = 1", function()
  local r = tfp.ivreg(card, M, {method = "fuller", fuller = 4})
  check.eq(#r.stock_yogo, 8)
  check.eq(r.stock_yogo[1].label, "5% maximal Fuller rel. bias"); check.eq(r.stock_yogo[1].value, 13.46)
  check.eq(r.stock_yogo[5].label, "5% Fuller maximum bias"); check.eq(r.stock_yogo[5].value, 12.38)
  check.truthy(tostring(r):find("NB: Critical values based on Fuller parameter=1", 1, true), "the note")
end)

check.test("another k-class estimator reports no Stock-Yogo values", function()
  local r = tfp.ivreg(card, M, {method = "kclass", k = 0.5})
  check.eq(#r.stock_yogo, 0)
  check.truthy(not tostring(r):find("Stock-Yogo", 1, true), "none printed")
end)

check.done()
