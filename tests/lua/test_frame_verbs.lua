-- Frame verbs f:merge and f:collapse (lua/verbs.lua): joins by one or two
-- keys of either type, every kind of join, key and name clashes as errors;
-- group statistics over non-missing values, sorted groups, result names.
local check = dofile("lua/check.lua")

-- A vector or list as text, missing shown as nil: lists compare as strings.
local function show(v, n)
  local out = {}
  for i = 1, n or #v do out[i] = tostring(v[i]) end
  return table.concat(out, ",")
end
local function same(got, want, n, what) check.eq(show(got, n), show(want, n), what) end

local f = tfp.frame{{"city", {"a", "a", "b", "c"}}, {"year", {2003, 2004, 2003, 2003}}, {"x", {1, 2, 3, nil}}}
local g = tfp.frame{{"city", {"a", "b", "d"}}, {"region", {"East", "West", "Central"}}}

check.test("a left merge keeps every row of f in order and fills g's columns", function()
  local m = f:merge(g, {on = "city"})
  check.eq(m:nrow(), 4)
  same(m:names(), {"city", "year", "x", "region"})
  same(m.region, {"East", "East", "West", nil}, #m.region)
end)

check.test("inner, right and outer merges keep the matched, g's and all rows", function()
  check.eq(f:merge(g, {on = "city", how = "inner"}):nrow(), 3)
  local r = f:merge(g, {on = "city", how = "right"})
  same(r.city, {"a", "a", "b", "d"}, #r.city)
  local o = f:merge(g, {on = "city", how = "OUTER"})
  same(o.city, {"a", "a", "b", "c", "d"}, #o.city)
  check.eq(o.region[5], "Central")
  check.eq(o.year[5], nil)
end)

check.test("a merge on two numeric and text keys matches unit-years", function()
  local h = tfp.frame{{"year", {2004, 2003}}, {"city", {"a", "a"}}, {"tfp", {1.5, 1}}}
  local m = f:merge(h, {on = {"city", "year"}})
  same(m.tfp, {1, 1.5, nil, nil}, #m.tfp)
end)

check.test("a missing key never matches", function()
  local h = tfp.frame{{"k", {1, nil}}, {"v", {10, 20}}}
  local k = tfp.frame{{"k", {nil, 1}}, {"w", {5, 6}}}
  same(k:merge(h, {on = "k"}).v, {nil, 10}, 2)
end)

check.test("g with two rows for a key is a data error naming the key and rows", function()
  local h = tfp.frame{{"city", {"a", "a"}}, {"v", {1, 2}}}
  local ok, e = pcall(f.merge, f, h, {on = "city"})
  check.truthy(not ok and e.code == "data", "data error")
  check.truthy(tostring(e):find("two rows for city = a (rows 1 and 2)", 1, true), tostring(e))
end)

check.test("a column in both frames is an error unless suffix names g's copy", function()
  local h = tfp.frame{{"city", {"a"}}, {"x", {9}}}
  check.errors(function() return f:merge(h, {on = "city"}) end, "column 'x' is in both frames")
  same(f:merge(h, {on = "city", suffix = "_g"}).x_g, {9, 9, nil, nil}, 4)
end)

check.test("keys of different types and unknown key columns are usage errors", function()
  local h = tfp.frame{{"city", {1}}, {"v", {1}}}
  check.errors(function() return f:merge(h, {on = "city"}) end, "key 'city' is text in the frame and numeric")
  check.errors(function() return f:merge(g, {on = "town"}) end, "the frame has no column 'town'")
  check.errors(function() return f:merge(g) end, "option 'on'")
end)

check.test("collapse gives one sorted row per group with mean, sd and count", function()
  local c = f:collapse{by = "city", mean = "x", sd = "x", count = {n = "x"}}
  same(c:names(), {"city", "x_mean", "x_sd", "n"})
  same(c.city, {"a", "b", "c"}, #c.city)
  same(c.x_mean, {1.5, 3, nil}, #c.x_mean)
  check.near(c.x_sd[1], math.sqrt(0.5), 1e-15)
  check.eq(c.x_sd[2], nil)
  same(c.n, {2, 1, 0}, #c.n)
end)

check.test("collapse by two columns sorts by both; no by gives one row", function()
  local c = f:collapse{by = {"year", "city"}, sum = "x", min = "x", max = "x"}
  same(c.year, {2003, 2003, 2003, 2004}, #c.year)
  same(c.city, {"a", "b", "c", "a"}, #c.city)
  same(c.x_sum, {1, 3, nil, 2}, #c.x_sum)
  local all = f:collapse{mean = "x"}
  check.eq(all:nrow(), 1)
  check.eq(all.x[1], 2)
end)

check.test("collapse rejects text under a numeric statistic and a clash of names", function()
  check.errors(function() return f:collapse{by = "year", mean = "city"} end, "column 'city' is text")
  check.errors(function() return f:collapse{by = "city", mean = {city = "x"}} end, "two results would be called 'city'")
  check.errors(function() return f:collapse{by = "city"} end, "no statistic")
  check.errors(function() return f:collapse{by = "city", avg = "x"} end, "means are option 'mean'")
end)

check.done()
