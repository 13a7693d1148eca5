-- The formula language: parts, terms, control sets, sw/csw, update, errors.
local check = dofile("lua/check.lua")
local F = require "tfp.formula"

local function texts(specs)
  local out = {}
  for i, s in ipairs(specs) do out[i] = F.text(s) end
  return table.concat(out, " || ")
end

check.test("the paper's formula has regressors, two fixed effects and an IV part", function()
  local s = F.parse("TFP ~ STR + GOV + PGDP | city + year | SAGG ~ L1.SAGG + L2.SAGG")[1]
  check.eq(s.depvar.label, "TFP")
  check.eq(#s.exog, 3); check.eq(s.fe[1], "city"); check.eq(s.fe[2], "year")
  check.eq(s.endog[1].label, "SAGG")
  check.eq(s.inst[1].kind, "lag"); check.eq(s.inst[1].k, 1); check.eq(s.inst[2].label, "L2.SAGG")
end)

check.test("the IV part may come without fixed effects", function()
  local s = F.parse("y ~ x | e ~ z1 + z2")[1]
  check.eq(#s.fe, 0); check.eq(#s.inst, 2)
end)

check.test("functions, products and differences are terms", function()
  check.eq(texts(F.parse("y ~ log(x) + a:b + D.c + a*b")), "y ~ log(x) + a:b + D.c + a + b")
end)

check.test("control sets expand, also inside other sets", function()
  local macros = {base = "STR + GOV + PGDP", full = "..base + FDI + H + ROAD + POP"}
  check.eq(texts(F.parse("TFP ~ ..full", macros)), "TFP ~ STR + GOV + PGDP + FDI + H + ROAD + POP")
end)

check.test("sw gives one model per argument and csw accumulates", function()
  check.eq(texts(F.parse("y ~ x + sw(a, b)")), "y ~ x + a || y ~ x + b")
  check.eq(texts(F.parse("y ~ x + csw(a, b)")), "y ~ x + a || y ~ x + a + b")
  check.eq(texts(F.parse("y ~ x + csw0(a, b)")), "y ~ x || y ~ x + a || y ~ x + a + b")
end)

check.test("update keeps the dots and swaps one control", function()
  local base = F.parse("TFP ~ STR + GOV + FDI | city + year | SAGG ~ L.SAGG + L2.SAGG")[1]
  check.eq(texts(F.parse(". ~ . - FDI + ROAD", nil, base)), "TFP ~ STR + GOV + ROAD | city + year | SAGG ~ L.SAGG + L2.SAGG")
end)

check.test("a syntax error points at its column", function()
  local err = check.errors(function() F.parse("y ~ x + + z") end, "expected a variable")
  check.truthy(err:find("\n  y ~ x %+ %+ z\n          %^"), "caret under the second '+'")
end)

check.test("an unknown control set is named", function()
  check.errors(function() F.parse("y ~ ..nope") end, "unknown control set '..nope'")
end)

check.test("an unknown function is named with the known ones", function()
  check.errors(function() F.parse("y ~ foo(x)") end, "unknown function 'foo'")
end)

check.test("a missing tilde is reported", function()
  check.errors(function() F.parse("y x") end, "expected '~'")
end)

check.test("deep nesting is a formula error, not a stack overflow", function()
  check.errors(function() F.parse("y ~ " .. string.rep("(", 5000) .. "x" .. string.rep(")", 5000)) end,
    "terms nested too deeply")
  check.errors(function() F.parse("y ~ " .. string.rep("log(", 5000) .. "x" .. string.rep(")", 5000)) end,
    "terms nested too deeply")
  check.errors(function() F.parse("y ~ " .. string.rep("L.", 5000) .. "x") end, "terms nested too deeply")
end)

check.test("two sw() in one formula are refused", function()
  check.errors(function() F.parse("y ~ sw(a, b) + sw(c, d)") end, "only one sw()/csw() per formula")
end)

check.test("a misspelt variable is named with its column and a suggestion when fitted", function()
  local f = tfp.frame{{"y", {1, 2, 3}}, {"GOV", {1, 0, 1}}}
  local err = check.errors(function() tfp.ivreg(f, "y ~ GOVV") end, "unknown variable 'GOVV' (did you mean 'GOV'?)")
  check.truthy(err:find("\n  y ~ GOVV\n      %^"), "caret under GOVV")
end)

check.test("a huge lag order is a formula error pointing at it", function()
  local err = check.errors(function() F.parse("y ~ L99999999999999999999.x") end, "lag order 99999999999999999999 is too large")
  check.truthy(err:find("\n  y ~ L99999999999999999999.x\n      %^"), "caret under the lag")
end)

check.done()
