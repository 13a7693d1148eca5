-- tfp.summary and tfp.correlate: descriptive tables as table objects. The
-- expected numbers are computed by hand from the small frames below (exact
-- to the printed digits); Stata's summarize / correlate / pwcorr conventions.
local check = dofile("lua/check.lua")
local test = check.test

-- x: 1..5 with one missing; y = 2x + noise; g: text.
local f = tfp.frame{
  {"x", {1, 2, 3, 4, 5, nil}}, {"y", {2.5, 3.5, 7, 8, 10.5, 12}}, {"z", {5, 3, 4, 1, 2, 0}},
  {"g", {"a", "b", "a", "b", "a", "b"}},
}

local function csvbody(tab) return (tab:render("csv"):gsub("\r\n\r\n.*$", "")) end

test("summary gives N, mean, sd (n - 1), min and max, missing values skipped", function()
  local s = tfp.summary(f, {"x", "y"})
  -- x: 1..5: mean 3, sd sqrt(2.5); y: 6 values, mean 43.5/6 = 7.25,
  -- sum of squares about the mean 70.375, sd sqrt(70.375/5).
  check.eq(csvbody(s), table.concat({
    ",N,Mean,SD,Min,Max",
    "x,5,3.000,1.581,1.000,5.000",
    "y,6,7.250,3.752,2.500,12.000"}, "\r\n"), "csv")
  check.eq(tostring(s), table.concat({
    "=================================",
    "   N  Mean    SD     Min    Max",
    "---------------------------------",
    "x  5  3.000  1.581  1.000   5.000",
    "y  6  7.250  3.752  2.500  12.000",
    "================================="}, "\n"), "text")
end)

test("summary percentiles are Stata's: the mean of the middle pair when n * p is whole", function()
  local s = tfp.summary(f, "y", {stats = {"median", "p25", "p75", "sum", "N"}, digits = 2})
  -- y sorted 2.5 3.5 7 8 10.5 12: n p/100 = 3 (median: (7 + 8)/2), 1.5 (p25:
  -- the 2nd), 4.5 (p75: the 5th).
  check.eq(csvbody(s), ",Median,P25,P75,Sum,N\r\ny,7.50,3.50,10.50,43.50,6", "csv")
end)

test("summary labels, per-row digits and every numeric column by default", function()
  -- 7.25 is exact in binary: printf rounds the tie to even, 7.2.
  local s = tfp.summary(f, nil, {labels = {x = "东部"}, digits = {1, z = 0}, stats = {"mean"}})
  check.eq(csvbody(s), ",Mean\r\n东部,3.0\r\ny,7.2\r\nz,2", "csv")
end)

test("summary and correlate errors name the column, with a suggestion", function()
  check.errors(function() tfp.summary(f, {"x", "yy"}) end, "tfp.summary: no column 'yy' (did you mean 'y'?)")
  check.errors(function() tfp.summary(f, {"g"}) end, "column 'g' is text")
  check.errors(function() tfp.summary(f, {"x"}, {stats = {"mean", "kurtosis"}}) end, "unknown statistic 'kurtosis'")
  check.errors(function() tfp.summary({}, {"x"}) end, "must be a frame")
  check.errors(function() tfp.correlate(f, {"x"}) end, "tfp.correlate: needs at least 2 numeric variables")
  local ok, e = pcall(tfp.summary, f, {"x", "x"})
  check.truthy(not ok and e.code == "usage", "a usage error")
  check.truthy(tostring(e):find("listed twice"), tostring(e))
end)

test("correlate is listwise by default, pairwise on request, lower triangle", function()
  -- listwise: rows 1-5. x = 1..5, z = 5 3 4 1 2: r = -0.8.
  local c = tfp.correlate(f, {"x", "z"})
  check.eq(c:render("csv"), ",x,z\r\nx,1.000,\r\nz,-0.800,1.000\r\n\r\n"
    .. "\"Pearson correlations, N = 5 (rows with every variable)\"", "csv")
  -- pairwise: (y, z) uses all 6 rows, (x, z) 5.
  local p = tfp.correlate(f, {"x", "y", "z"}, {sample = "pairwise"})
  check.truthy(p:render("csv"):find("N from 5 to 6", 1, true), "pairwise N range")
  -- y z over 6 rows: y mean 7.25, z mean 2.5; sum dy dz = -28.75,
  -- sum dz^2 = 17.5, sum dy^2 = 70.375: r = -0.819.
  check.truthy(p:render("csv"):find("z,-0.800,-0.819,1.000", 1, true), p:render("csv"))
end)

test("correlate stars come from the t test of r = 0 with n - 2 df", function()
  -- r = -0.8, n = 5: t = -0.8 sqrt(3 / 0.36) = -2.309, p = 0.104 (t with 3 df).
  local c = tfp.correlate(f, {"x", "z"}, {stars = {0.2, 0.11, 0.1}})
  check.truthy(csvbody(c):find("z,-0.800**,1.000", 1, true), csvbody(c))
end)

test("summary tables render in every format, Chinese labels intact", function()
  local s = tfp.summary(f, {"x", "y"}, {labels = {x = "东部", y = "中部 \"GDP\""}, title = "表1 描述统计"})
  for _, format in ipairs({"text", "markdown", "latex", "csv", "html", "rtf"}) do
    local out = s:render(format)
    if format == "rtf" then
      -- 东 U+4E1C, 部 U+90E8 (negative: signed 16-bit), 中 U+4E2D
      check.truthy(out:find("\\u19996?\\u-28440?", 1, true), "rtf: " .. out)
      check.truthy(out:find("\\u20013?", 1, true), "rtf 中")
    else
      check.truthy(out:find("东部", 1, true), format .. ": " .. out)
    end
  end
  check.truthy(s:render("latex"):find("xeCJK", 1, true), "latex says how to compile Chinese")
  check.truthy(s:render("html"):find("中部 &quot;GDP&quot;", 1, true), "html escapes quotes")
end)

test("text that is not UTF-8 is refused, naming it", function()
  check.errors(function() tfp.summary(f, {"x"}, {labels = {x = "\xb6\xab\xb2\xbf"}}) end, "not valid UTF-8")
end)

check.done()
