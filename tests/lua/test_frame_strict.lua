-- No silent wrong results from frames: unknown columns and keys are errors
-- that name the word, integral values are integers, filters that match
-- nothing warn, vector comparisons point at the methods, f:panel() describes.
local check = dofile("lua/check.lua")

local function panel()
  return tfp.frame{
    {"city", {"A", "A", "A", "B", "B"}},
    {"year", {2001, 2002, 2004, 2001, 2002}},
    {"y", {10, 12, 15, 20, nil}},
    {"region", {"East", "East", "East", "West", "West"}},
    {"SAGG_H", {1.5, 1.25, 1, 0.5, 0.75}},
    {"gdp", {100, 110, 120, 200, 210}},
    {"population", {5, 5, 5, 8, 8}},
  }
end

-- The error must be a usage tfp.error whose text names the word.
local function usage_error(fn, fragment, what)
  local text = check.errors(fn, fragment, what)
  local _, e = pcall(fn)
  check.eq(type(e) == "table" and e.code, "usage", (what or fragment) .. ": error code")
  return text
end

-- One row per misuse: what, the call, a fragment the message must contain.
local misuses = {
  {"a column misspelt in case", function(f) return f.SAGG_h end, "f.SAGG_h: no column 'SAGG_h' (did you mean 'SAGG_H'?)"},
  {"a column two edits away", function(f) return f.regoin end, "no column 'regoin' (did you mean 'region'?)"},
  {"a unique prefix", function(f) return f.popul end, "no column 'popul' (did you mean 'population'?)"},
  {"a far name lists the columns", function(f) return f.deflator end,
   "no column 'deflator' (columns: city, year, y, region, SAGG_H, gdp, population)"},
  {"a short name one edit away", function(f) return f.yr end, "no column 'yr' (did you mean 'y'?)"},
  {"a short name is not stretched to a suggestion", function(f) return f.zz end, "no column 'zz' (columns:"},
  {"a column read inside an expression", function(f) f.lgdp = tfp.log(f.gdp / f.deflator) end, "no column 'deflator'"},
  {"a misspelt method", function(f) return f:wher{region = "East"} end,
   "no column 'wher' (did you mean the method 'where'?)"},
  {"a name that is not an identifier", function(f) return f["gdp growth"] end, "f[\"gdp growth\"]: no column 'gdp growth'"},
  {"a number as a column name", function(f) return f[1] end, "a frame is indexed by column name"},
  {"deleting a column that does not exist", function(f) f.Gdp = nil end,
   "f.Gdp: no column 'Gdp' to delete (did you mean 'gdp'?)"},
  {"a column for a primitive", function(f) return f:lag("Y", 1) end, "column 'Y' not found (did you mean 'y'?)"},
  {"a column to select", function(f) return f:select{"city", "regio"} end, "column 'regio' not found (did you mean 'region'?)"},
  {"a panel column", function(f) return f:panel("cty", "year") end, "column 'cty' not found (did you mean 'city'?)"},
  {"a where key that is not a column", function(f) return f:where{regoin = "East"} end,
   "f:where: no column 'regoin' (did you mean 'region'?)"},
  {"a where key that is a number", function(f) return f:where{"East"} end, "keys must be column names"},
  {"a string for a numeric column in where", function(f) return f:where{year = "2001"} end,
   "column 'year' holds numbers, not the string '2001'"},
  {"a number for a string column in where", function(f) return f:where{city = 1} end,
   "column 'city' holds strings, not the number 1"},
  {"a boolean in a where list", function(f) return f:where{region = {"East", true}} end,
   "the value for 'region' must be a string or a list of them, not a boolean"},
  {"a vector compared with >", function(f) return f.year > 2001 end, "use f.year:gt(2001) (also lt, le, gt, ge, eq, ne"},
  {"a vector compared with <", function(f) return f.year < 2001 end, "use f.year:lt(2001)"},
  {"a vector compared with >=", function(f) return f.year >= 2001.5 end,
   "a vector cannot be compared with <= or >=; use f.year:ge(2001.5)"},
  {"a vector compared with <=", function(f) return f.region <= "East" end, "use f.region:le('East')"},
  {"a computed vector compared", function(f) return f.y / 2 > f.year end, "use f.year:lt(w)"},
  {"a mask table of the wrong length", function(f) return f:filter{true, false} end,
   "the mask has 2 values, the frame has 5 rows"},
  {"a mask vector of the wrong length", function(f) return f:filter(tfp.vector{1, 0}) end, "got a numeric vector of 2"},
  {"a nil column in tfp.frame", function() return tfp.frame{{"x", {1, 2}}, {"y"}} end, "column 'y' has no values"},
  {"a method name as a new column", function(f) f.where = 1 end, "f.where: 'where' is a frame method"},
}
for _, m in ipairs(misuses) do
  check.test(m[1] .. " is a usage error naming the word", function() usage_error(function() return m[2](panel()) end, m[3]) end)
end

check.test("f.SAGG_H = f.SAGG_h raises and keeps SAGG_H", function()
  local f = panel()
  usage_error(function() f.SAGG_H = f.SAGG_h end, "no column 'SAGG_h'")
  check.eq(f.SAGG_H[1], 1.5)
end)

check.test("the error points at the user's line", function()
  local f = panel()
  local line = debug.getinfo(1, "l").currentline + 1
  local ok, e = pcall(function() return f.nope end)
  check.eq(ok, false)
  check.truthy(e.where:find("test_frame_strict.lua:" .. line .. ": ", 1, true), "where " .. e.where)
end)

check.test("has tells whether a column exists, and f.x = nil still deletes", function()
  local f = panel()
  check.eq(f:has("gdp"), true); check.eq(f:has("Gdp"), false); check.eq(f:has("where"), false)
  f.gdp = nil
  check.eq(f:has("gdp"), false); check.eq(f:ncol(), 6)
end)

check.test("methods and columns still read as before", function()
  local f = panel()
  check.eq(type(f.nrow), "function"); check.eq(f.city[1], "A"); check.eq(f["SAGG_H"][2], 1.25)
end)

-- Integral values as integers: {what, got, want, math.type}. Only below 2^31,
-- so that Lua's integer product of two values never wraps.
check.test("integral values read as Lua integers", function()
  local f = panel()
  local cases = {
    {"f.year[1]", f.year[1], 2001, "integer"},
    {"f.y[1]", f.y[1], 10, "integer"},
    {"f.SAGG_H[1]", f.SAGG_H[1], 1.5, "float"},
    {"f.year:min()", f.year:min(), 2001, "integer"},
    {"f.y:sum()", f.y:sum(), 57, "integer"},
    {"f.y:mean()", f.y:mean(), 14.25, "float"},
    {"f.year:count()", f.year:count(), 5, "integer"},
    {"2^31 stays a float (a product of two cannot wrap)", tfp.vector{2^31}[1], 2^31, "float"},
    {"-2^31 + 1", tfp.vector{-2^31 + 1}[1], -2^31 + 1, "integer"},
    {"GDP in yuan stays a float", tfp.vector{1.5e12}[1], 1.5e12, "float"},
    {"negative zero", tfp.vector{-0.0}[1], 0, "integer"},
  }
  for _, c in ipairs(cases) do
    check.eq(c[2], c[3], c[1]); check.eq(math.type(c[2]), c[4], c[1] .. " type")
  end
  check.eq(f.y[5], nil, "missing stays nil")
end)

check.test("listings and vectors print integral values in full", function()
  local f = tfp.frame{{"year", {2003, 2004}}, {"pop", {1234567, 2.5}}}
  local s = tostring(f)
  check.truthy(s:find("2003", 1, true) and not s:find("2003.0", 1, true), "year in the listing")
  check.truthy(s:find("1234567", 1, true), "a 7-digit integer in full: " .. s)
  check.eq(tostring(f.year), "vector[2]{2003, 2004}")
  check.eq(tostring(f.year[1]), "2003")
end)

check.test("comparison methods take a scalar or a vector", function()
  local f = panel()
  check.eq(f:filter(f.year:gt(2001)):nrow(), 3)
  check.eq(f:filter(f.y:lt(f.gdp)):nrow(), 4)   -- missing y is false
  check.eq(f:filter(f.city:eq(f.city)):nrow(), 5)
  usage_error(function() return f.year:lt(tfp.vector{1, 2}) end, "a vector of another length")
end)

-- Declared panels: {what, years by unit, balanced, balance, n_gaps, n_partial, text}.
local shapes = {
  {"strongly balanced", {A = {2001, 2002, 2003}, B = {2001, 2002, 2003}}, true, "strongly balanced", 0, 0,
   "panel: city (2 units), year 2001 to 2003 (3 periods), strongly balanced"},
  {"weakly balanced", {A = {2001, 2002}, B = {2002, 2003}}, false, "weakly balanced", 0, 2,
   "panel: city (2 units), year 2001 to 2003 (3 periods), weakly balanced: 2 units not spanning all periods"},
  {"unbalanced with a gap", {A = {2001, 2002, 2004}, B = {2001, 2002}}, false, "unbalanced", 1, 1,
   "panel: city (2 units), year 2001 to 2004 (4 periods), unbalanced: 1 unit with gaps, 1 unit not spanning all periods"},
  {"one unit, one period", {A = {2001}}, true, "strongly balanced", 0, 0,
   "panel: city (1 unit), year 2001 to 2001 (1 period), strongly balanced"},
}
for _, s in ipairs(shapes) do
  check.test("f:panel() describes a " .. s[1] .. " panel as xtset does", function()
    local city, year = {}, {}
    for _, u in ipairs({"A", "B"}) do
      for _, t in ipairs(s[2][u] or {}) do city[#city + 1] = u; year[#year + 1] = t end
    end
    local f = tfp.frame{{"city", city}, {"year", year}}
    check.eq(f:panel(), nil, "no panel yet")
    local p = f:panel("city", "year")
    check.eq(tostring(p), s[7])
    check.eq(tostring(f:panel()), s[7], "the query")
    check.eq(p.id, "city"); check.eq(p.time, "year"); check.eq(p.balanced, s[3]); check.eq(p.balance, s[4])
    check.eq(p.n_gaps, s[5]); check.eq(p.n_partial, s[6]); check.eq(p.n_obs, #year)
    check.eq(math.type(p.first), "integer")
  end)
end

check.test("the panel info counts units and periods of the embedded data", function()
  local f = tfp.data()
  local p = f:panel("city", "year")
  check.eq(p.n_units, 261); check.eq(p.first, 2003); check.eq(p.last, 2017); check.eq(p.n_periods, 15)
  check.eq(tostring(p), "panel: city (261 units), year 2003 to 2017 (15 periods), strongly balanced")
end)

check.test("dropping a panel column undeclares the panel", function()
  local f = panel()
  f:panel("city", "year")
  f.year = nil
  check.eq(f:panel(), nil)
end)

-- Warnings go to stderr through the host: run a chunk in a child tfpkit.
local function warnings_of(chunk)
  local path = os.tmpname()
  local fh = assert(io.open(path, "w"))
  fh:write("local f = tfp.frame{{'city', {'A', 'A', 'B'}}, {'year', {2001, 2002, 2001}}, ",
           "{'region', {'East', 'East', 'West'}}}\n", chunk, "\n")
  fh:close()
  local p = assert(io.popen(string.format("'%s' '%s' 2>&1", arg[-1], path)))
  local out = p:read("a")
  p:close()
  os.remove(path)
  return out
end

-- {what, chunk, fragment of the warning or false for none}
local warnings = {
  {"a value in another case", "f:where{region = 'east'}",
   "f:where: no row has region = 'east' (values: 'East', 'West'; note the case: 'East')"},
  {"a number no row has", "f:where{year = 1999}", "f:where: no row has year = 1999 (values: 2001, 2002)"},
  {"one value of a list", "assert(f:where{region = {'East', 'Weast'}}:nrow() == 2)", "no row has region = 'Weast'"},
  {"conditions never met together", "f:where{region = 'West', year = 2002}", "year = 2002"},
  {"conditions never met together", "f:where{region = 'West', year = 2002}", "region = 'West'"},
  {"conditions never met together", "f:where{region = 'West', year = 2002}", " together (each alone matches some rows)"},
  {"an empty list of values", "f:where{region = {}}", "the list of values for 'region' is empty"},
  {"a match", "f:where{region = 'East', year = {2001, 2002}}", false},
}
for _, w in ipairs(warnings) do
  check.test("where with " .. w[1] .. (w[3] and " warns" or " does not warn"), function()
    local out = warnings_of(w[2])
    if w[3] then
      check.truthy(out:find("Lua warning: ", 1, true) and out:find(w[3], 1, true), "warning in " .. string.format("%q", out))
    else
      check.eq(out, "", "output")
    end
  end)
end

check.done()
