-- Groups are numbered once, in C (core/panel.c): string fixed effects and
-- clusters of tfp.ivreg get the codes tfp_group_codes gives (sorted values),
-- the same numbering as every other primitive.
local check = dofile("lua/check.lua")

check.test("string groups are numbered in sorted order, missing stays missing", function()
  local f = tfp.frame{g = {"West", "East", nil, "Central", "East"}, x = {1, 2, 3, 4, 5}}
  local v = tfp._group_codes(f, "g")
  check.eq(#v, 5)
  check.eq(v[1], 3); check.eq(v[2], 2); check.eq(v[3], nil); check.eq(v[4], 1); check.eq(v[5], 2)
end)

check.test("a string fixed effect fits as its numeric codes do", function()
  local id, region, x, y = {}, {}, {}, {}
  local names = {"West", "Central", "East"}   -- first seen: West, Central, East
  for i = 1, 60 do
    id[i] = (i - 1) % 12 + 1
    region[i] = names[(i - 1) // 12 % 3 + 1]
    x[i] = math.sin(i) + id[i] / 7
    y[i] = 2 * x[i] + math.cos(3 * i) + (id[i] % 3)
  end
  local f = tfp.frame{id = id, region = region, x = x, y = y}
  f.region_code = tfp._group_codes(f, "region")
  local a = tfp.ivreg(f, "y ~ x | id + region")
  local b = tfp.ivreg(f, "y ~ x | id + region_code")
  check.near(a.coef.x, b.coef.x, 1e-12, "coefficient of x")
  check.near(a.se.x, b.se.x, 1e-12, "its standard error")
  check.near(a.coef.region_2, b.coef.region_code_2, 1e-12, "East's effect (code 2: Central, East, West)")
end)

check.done()
