-- Bad input, one row per case: each must raise an error whose message names
-- the file/line/column or the variable/row.
local check = dofile("lua/check.lua")

local written = {}
local function write(text)
  local path = os.tmpname()
  written[#written + 1] = path
  local fh = assert(io.open(path, "wb"))
  fh:write(text)
  fh:close()
  return path
end

local function frame(cols) return tfp.frame(cols) end

-- A small balanced panel for the estimator cases: 6 units x 5 years.
local function panel()
  local id, t, y, x, z, w, c = {}, {}, {}, {}, {}, {}, {}
  local n = 0
  for i = 1, 6 do
    for year = 2001, 2005 do
      n = n + 1
      id[n], t[n] = i, year
      x[n] = math.sin(n) + i * 0.1
      z[n] = math.cos(3 * n)
      w[n] = math.sin(5 * n) + z[n]
      y[n] = 1 + 0.5 * x[n] + math.sin(7 * n)
      c[n] = 1
    end
  end
  local f = tfp.frame{{"id", id}, {"t", t}, {"y", y}, {"x", x}, {"z", z}, {"w", w}, {"const", c}}
  f:panel("id", "t")
  return f
end

local cases = {
  -- files
  {"an empty file", function() return tfp.read_csv(write("")) end, "empty file"},
  {"a header without rows", function() return tfp.read_csv(write("a,b\n")) end, "header only"},
  {"a ragged row names its line", function() return tfp.read_csv(write("a,b\n1,2\n3\n")) end, ":3: row has 1 fields"},
  {"an unterminated quote names its line", function() return tfp.read_csv(write("a\n\"x\n")) end,
   ":2: unterminated quoted field"},
  {"text in a declared numeric column names line and column", function()
     return tfp.read_csv(write("a,b\n1,2\n3,x\n"), {numeric = {"b"}}) end, ":3: column 2 'b' expects a number, got 'x'"},
  {"duplicate column names", function() return tfp.read_csv(write("a,a\n1,2\n")) end, "duplicate column name 'a'"},
  {"a NUL byte in a field names line and column", function() return tfp.read_csv(write("a,b\n1,2\0" .. "999\n3,4\n")) end,
   ":2: NUL byte in column 2"},
  {"a quoted NUL byte names line and column", function() return tfp.read_csv(write("a,b\n1,\"2\0\"\n")) end,
   ":2: NUL byte in column 2"},
  {"a number beyond the range of a double names line and column", function()
     return tfp.read_csv(write("a,b\n1,2\n3,1e400\n")) end, ":3: column 2 'b': number '1e400' is out of range"},
  {"a missing file", function() return tfp.read_csv("/no/such/file.csv") end, "/no/such/file.csv: No such file"},
  {"a non-Stata file given as .dta", function() return tfp.read_dta(write("a,b\n1,2\n")) end, "not a readable Stata file"},
  -- frames and panels
  {"duplicate id-time pairs", function() frame{{"id", {1, 1}}, {"t", {1, 1}}}:panel("id", "t") end,
   "duplicate id = 1, t = 1 in rows 1 and 2"},
  {"a missing time value", function() frame{{"id", {1, 2}}, {"t", {1}}}:panel("id", "t") end, "time 't' is missing in row 2"},
  {"an unknown column", function() panel():lag("nope", 1) end, "column 'nope' not found"},
  {"a lag without a panel", function() frame{{"x", {1, 2}}}:lag("x", 1) end, "no panel structure"},
  {"a column of the wrong length", function() local f = panel(); f.w = {1, 2} end, "column 'w' has 2 values"},
  {"log of zero names the position", function() return tfp.log(tfp.vector{1, 0}) end, "position 2"},
  -- formulas
  {"a formula with bad syntax points at the column", function() tfp.model("y ~ x +") end, "^"},
  {"a formula with an unknown variable names it", function() tfp.ivreg(panel(), "y ~ q") end, "unknown variable 'q'"},
  {"an unknown control set", function() tfp.model("y ~ ..nope") end, "unknown control set '..nope'"},
  {"a bad vce option", function() tfp.ivreg(panel(), "y ~ x", {vce = "bogus"}) end, "option 'vce' 'bogus' is not a VCE"},
  {"more endogenous regressors than instruments", function()
     tfp.ivreg(panel(), "y ~ 1 | x + w ~ z") end, "instrument"},
  {"instruments all missing after lagging", function()
     local f = panel()
     f.z = tfp.vector({}, f:nrow())
     tfp.ivreg(f, "y ~ 1 | x ~ z") end, "z"},
  {"a sample empty after filtering", function()
     tfp.ivreg(panel():where{id = 99}, "y ~ x") end, "no observations"},
  {"zero DEA inputs name column and row", function()
     tfp.dea{data = frame{{"x", {1, 0, 2}}, {"y", {1, 1, 1}}}, inputs = {"x"}, outputs = {"y"}} end, "row 2"},
  {"missing DEA outputs name column and row", function()
     tfp.dea{data = frame{{"x", {1, 2, 3}}, {"y", {1, nil, 1}}}, inputs = {"x"}, outputs = {"y"}} end, "row 2"},
  {"negative DEA inputs name column and row", function()
     tfp.dea{data = frame{{"x", {1, -2, 2}}, {"y", {1, 1, 1}}}, inputs = {"x"}, outputs = {"y"}} end, "row 2"},
  {"infinite DEA outputs name column and row", function()
     tfp.dea{data = frame{{"x", {1, 2, 2}}, {"y", {1, 1, math.huge}}}, inputs = {"x"}, outputs = {"y"}} end, "row 3"},
  {"fewer DEA units than inputs + outputs", function()
     tfp.dea{data = frame{{"x1", {1}}, {"x2", {2}}, {"y", {1}}}, inputs = {"x1", "x2"}, outputs = {"y"}} end, "units"},
}

-- Outcomes of the data that are not errors: reported in the result, as Stata does.
local card = tfp.read_csv("refs/stata-ivreg2/card_data.csv")
check.test("a constant regressor is dropped with a note", function()
  local f = card:copy()
  f.one = 1
  local r = tfp.ivreg(f, "lwage ~ exper + one | educ ~ nearc4")
  check.eq(table.concat(r.dropped, ","), "one")
  check.truthy(r.notes:find("one omitted because of collinearity", 1, true), "note")
end)
check.test("perfectly collinear regressors: the later one is dropped with a note", function()
  local f = card:copy()
  f.exper2 = f.exper * 2
  local r = tfp.ivreg(f, "lwage ~ exper + exper2 + black | educ ~ nearc4")
  check.eq(table.concat(r.dropped, ","), "exper2")
  check.truthy(r.coef.exper ~= nil and r.coef.exper2 == nil, "exper kept")
end)
-- Two clusters: the moment covariance S is a sum of 2 outer products, rank <= 2
-- for 5 moment conditions whatever the rounding. ivreg2 stops two-step GMM
-- there (the optimal weighting matrix is not unique; X'Z W Z'X would have
-- rank <= 2 for 4 coefficients) and reports 2SLS without the J statistic.
local two_clusters = "lwage ~ exper + black | educ ~ nearc2 + nearc4"
check.test("two-step GMM with a moment covariance not of full rank is a data error, as in ivreg2", function()
  check.errors(function()
    tfp.ivreg(card, two_clusters, {method = "gmm", vce = {cluster = "south"}})
  end, "not of full rank (rank 2 for 5 moment conditions, 2 clusters)")
end)
check.test("2SLS with a moment covariance not of full rank reports no J or endog(), with ivreg2's warning", function()
  local r = tfp.ivreg(card, two_clusters, {vce = {cluster = "south"}})
  local iid = tfp.ivreg(card, two_clusters)
  check.truthy(r.notes:find("not of full rank (rank 2 for 5 moment conditions, 2 clusters); "
                            .. "overidentification statistic not reported", 1, true), "warning")
  check.eq(r.hansen_j, nil, "J")
  check.eq(r.endog, nil, "endog()")
  check.near(r.coef.educ, iid.coef.educ, 1e-12, "2SLS estimate, which does not depend on the VCE")
  check.truthy(iid.hansen_j > 0, "J of the iid fit")
end)

for _, c in ipairs(cases) do
  check.test(c[1], function() check.errors(c[2], c[3]) end)
end
for _, path in ipairs(written) do os.remove(path) end
check.done()
