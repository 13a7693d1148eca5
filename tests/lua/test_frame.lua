-- Frames and vectors from Lua: construction, columns, arithmetic, subsets, lags.
local check = dofile("lua/check.lua")

local function panel()
  return tfp.frame{
    {"city", {"A", "A", "A", "B", "B"}},
    {"year", {2001, 2002, 2004, 2001, 2002}},
    {"y", {10, 12, 15, 20, nil}},
    {"region", {"East", "East", "East", "West", "West"}},
  }
end

check.test("a frame reports its shape and names in order", function()
  local f = panel()
  check.eq(f:nrow(), 5); check.eq(#f, 5); check.eq(f:ncol(), 4)
  check.eq(table.concat(f:names(), ","), "city,year,y,region")
end)

check.test("a column reads as a 1-based vector with nil for missing", function()
  local f = panel()
  check.eq(#f.y, 5); check.eq(f.y[1], 10); check.eq(f.y[5], nil); check.eq(f["city"][4], "B")
end)

check.test("vector arithmetic is elementwise and skips missing in summaries", function()
  local f = panel()
  f.z = f.y / 2 + 1
  check.eq(f.z[2], 7); check.eq(f.z[5], nil)
  check.eq(f.y:sum(), 57); check.eq(f.y:count(), 4); check.near(f.y:mean(), 14.25, 1e-15)
  check.near(tfp.log(f.y)[1], math.log(10), 1e-15)
end)

check.test("division by zero gives missing, not infinity", function()
  local v = tfp.vector{1, 2} / tfp.vector{0, 1}
  check.eq(v[1], nil); check.eq(v[2], 2)
end)

check.test("log of a non-positive value is an error naming its position", function()
  check.errors(function() return tfp.log(tfp.vector{1, 0}) end, "position 2")
end)

check.test("vectors of different lengths do not combine", function()
  check.errors(function() return tfp.vector{1, 2} + tfp.vector{1} end, "different lengths (2 and 1)")
end)

check.test("a column of the wrong length is refused, naming it", function()
  local f = panel()
  check.errors(function() f.bad = {1, 2} end, "column 'bad' has 2 values, the frame has 5 rows")
end)

check.test("where keeps matching rows and filter takes functions and masks", function()
  local f = panel()
  check.eq(f:where{region = "East"}:nrow(), 3)
  check.eq(f:where{region = {"East", "West"}, year = 2001}:nrow(), 2)
  check.eq(f:filter(function(r) return r.year >= 2002 end):nrow(), 3)
  check.eq(f:filter(f.year:gt(2001)):nrow(), 3)
  check.eq(f:filter(f.y:gt(11)):nrow(), 3)   -- missing y counts as false
end)

check.test("lags follow the declared panel and respect gaps", function()
  local f = panel()
  f:panel("city", "year")
  local l1 = f:lag("y", 1)
  check.eq(l1[1], nil); check.eq(l1[2], 10); check.eq(l1[3], nil); check.eq(l1[5], 20)
  check.eq(f:lag("y", 2)[3], 12)
end)

check.test("a duplicate id-time pair is named", function()
  local f = tfp.frame{{"id", {1, 1}}, {"t", {2000, 2000}}}
  check.errors(function() f:panel("id", "t") end, "duplicate id = 1, t = 2000 in rows 1 and 2")
end)

check.test("an unknown column in an argument is named", function()
  check.errors(function() panel():panel("town", "year") end, "column 'town' not found")
end)

check.test("write_csv then read_csv gives the same frame", function()
  local f = panel()
  local path = os.tmpname()
  f:write_csv(path)
  local g = tfp.read_csv(path)
  os.remove(path)
  check.eq(g:nrow(), 5); check.eq(g.y[3], 15); check.eq(g.y[5], nil); check.eq(g.city[4], "B")
end)

check.test("a malformed CSV names file and line", function()
  local path = os.tmpname()
  local fh = io.open(path, "w"); fh:write("a,b\n1,2\n3\n"); fh:close()
  check.errors(function() tfp.read_csv(path) end, path .. ":3: row has 1 fields")
  os.remove(path)
end)

check.test("the Card data loads with 3010 rows and 34 columns", function()
  local f = tfp.read_csv("refs/stata-ivreg2/card_data.csv")
  check.eq(f:nrow(), 3010); check.eq(f:ncol(), 34)
end)

check.test("tostring shows a header and the shape", function()
  local s = tostring(panel())
  check.truthy(s:find("city  year", 1, true), "header"); check.truthy(s:find("[5 rows x 4 columns]", 1, true), "shape")
end)

check.test("a failed store into a string vector keeps the old value", function()
  local v = tfp.vector{"a", "b"}
  check.errors(function() v[1] = {} end, "string expected")
  check.eq(v[1], "a")
  collectgarbage()
end)

check.test("a filter function that closes its frame raises instead of reading freed memory", function()
  local f = tfp.frame{x = {1, 2, 3}}
  check.errors(function() f:filter(function() f:close() return true end) end, "frame is closed")
end)

check.test("where with a number key says keys must be column names", function()
  local f = tfp.frame{{"1", {5, 6}}}
  check.errors(function() f:where{5} end, "keys must be column names")
end)

check.test("a table whose n field is huge raises at once", function()
  check.errors(function() tfp.vector{1, 2, n = math.maxinteger} end, "too long")
  check.errors(function() tfp.vector({1, 2}, math.maxinteger) end, "too long")
end)

check.done()
