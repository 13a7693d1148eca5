-- tfp.levelsplot and tfp.coefplot (lua/plot.lua): the files they write, the
-- numbers they plot, and that no string reaches gnuplot unquoted. Drawing
-- needs gnuplot (Debian's gnuplot-nox); without it the drawing tests are
-- skipped and the checks that stop before gnuplot still run.
local check = dofile("lua/check.lua")
local test = check.test
local P = require "tfp.plot"

local has_gnuplot = os.execute("command -v gnuplot >/dev/null 2>&1")

local function readall(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function tempdir()
  local base = os.tmpname()
  os.remove(base)
  assert(os.execute("mkdir '" .. base .. "'"))
  return base
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

-- Two groups whose names try to break out of a gnuplot string.
local evil = "O'Brien `touch PWNED` \\ \"q\" @x"
local f = tfp.frame{
  {"id", {1, 1, 2, 2, 3, 3}}, {"year", {2003, 2004, 2003, 2004, 2003, 2004}},
  {"region", {"东部", "东部", evil, evil, evil, evil}},
  {"TFP", {1, 1.2, 1, 1.1, 1, 1.3}}, {"TE", {1, 0.9, 1, nil, 1, 1.1}},
}
f:panel("id", "year")

-- Fake fits: b and se chosen so that the 95% CI is b -/+ 1.959964 se.
local function fake(b, se, label)
  return {names = {"SAGG_H", "STR"}, coef = {SAGG_H = b, STR = 1}, se = {SAGG_H = se, STR = 1}, label = label}
end

test("quote puts a string in gnuplot's single quotes and refuses control characters", function()
  check.eq(P.quote("O'Brien `x` \\ @m"), "'O''Brien `x` \\ @m'", "quoted")
  check.errors(function() P.quote("a\nb", "group name", "tfp.levelsplot") end,
               "group name \"a\\nb\" contains a control character, which cannot be passed to gnuplot")
  check.eq(P.number(0 / 0), "NaN", "missing")
  check.eq(P.number(1.25), "1.25", "number")
end)

test("levelsplot writes the script with its data inline, the data file and both images", function()
  if not has_gnuplot then print("(gnuplot not installed: skipped)") return end
  local dir = tempdir()
  local paths = tfp.levelsplot(f, {vars = {"TFP", "TE"}, by = "region", out = dir .. "/lev"})
  check.eq(table.concat(paths, " "), table.concat({dir .. "/lev.gp", dir .. "/lev.dat", dir .. "/lev.png",
                                                   dir .. "/lev.svg"}, " "), "paths")
  check.truthy(readall(dir .. "/lev.png"):sub(1, 8) == "\137PNG\r\n\26\n", "a PNG")
  check.truthy(readall(dir .. "/lev.svg"):find("<svg", 1, true), "an SVG")
  local gp = readall(dir .. "/lev.gp")
  -- Groups sorted (by bytes: O... before 东部); the means by year skip
  -- missing values (TE of ids 2 and 3 in 2004: nil and 1.1, mean 1.1).
  check.truthy(gp:find("$levels << EOD\n2003 1 1 1 1\n2004 1.2 1.2 1.1 0.9\nEOD\n", 1, true), gp)
  check.truthy(gp:find("set key below", 1, true), "the legend below the plot")
  check.truthy(gp:find("title 'O''Brien `touch PWNED` \\ \"q\" @x'", 1, true), "group name quoted")
  check.truthy(gp:find("title '东部'", 1, true), "Chinese name kept")
  check.truthy(not exists("PWNED") and not exists(dir .. "/PWNED"), "no command ran")
  check.eq(readall(dir .. "/lev.dat"):match("^[^\n]*"),
           "# year TFP|" .. evil .. " TFP|东部 TE|" .. evil .. " TE|东部", "data header")
  os.execute("rm -rf '" .. dir .. "'")
end)

test("levelsplot order lists the groups, and one without data is an empty line", function()
  if not has_gnuplot then print("(gnuplot not installed: skipped)") return end
  local dir = tempdir()
  tfp.levelsplot(f, {vars = "TFP", by = "region", order = {"东部", "West"}, out = dir .. "/o",
                     titles = {"TFP level"}, formats = "svg"})
  local gp = readall(dir .. "/o.gp")
  check.truthy(gp:find("2004 1.2 NaN\n", 1, true), gp)
  check.truthy(gp:find("set title 'TFP level'", 1, true), "title")
  check.truthy(not exists(dir .. "/o.png") and exists(dir .. "/o.svg"), "only svg")
  os.execute("rm -rf '" .. dir .. "'")
end)

test("coefplot draws each fit's coefficient with its confidence interval", function()
  if not has_gnuplot then print("(gnuplot not installed: skipped)") return end
  local dir = tempdir()
  local fits = {fake(0.1, 0.01, "National"), {label = "东部", fake(0.2, 0.05)}, fake(-0.05, 0.02, evil)}
  tfp.coefplot(fits, {keep = "SAGG.*", out = dir .. "/c", title = "SAGG_H"})
  local dat = readall(dir .. "/c.dat")
  check.truthy(dat:find("1 1 0 0.1 0.08040036015 0.1195996398\n", 1, true), dat)
  check.truthy(dat:find("1 2 1 0.2 0.1020018008 0.2979981992\n", 1, true), dat)
  local gp = readall(dir .. "/c.gp")
  check.truthy(gp:find("set xtics ('National' 0, '东部' 1, 'O''Brien `touch PWNED` \\ \"q\" @x' 2)", 1, true), gp)
  check.truthy(gp:find("title 'SAGG_H (95% CI)'", 1, true), "series")
  check.truthy(gp:find("set key below", 1, true), "legend below")
  check.truthy(readall(dir .. "/c.png"):sub(1, 4) == "\137PNG", "a PNG")
  -- level = 0.9: 1.644854 se.
  tfp.coefplot(fits, {keep = "SAGG_H", out = dir .. "/c90", level = 0.9, formats = "svg"})
  check.truthy(readall(dir .. "/c90.dat"):find("1 1 0 0.1 0.08355146373 0.1164485363\n", 1, true), "90% CI")
  os.execute("rm -rf '" .. dir .. "'")
end)

test("coefplot puts several kept coefficients side by side, renamed ones as one series", function()
  if not has_gnuplot then print("(gnuplot not installed: skipped)") return end
  local dir = tempdir()
  local low = {names = {"SAGG_L", "STR"}, coef = {SAGG_L = 0.3, STR = 2}, se = {SAGG_L = 0.1, STR = 1}}
  tfp.coefplot({fake(0.1, 0.01), low}, {keep = {"SAGG_.", "STR"}, rename = {SAGG_H = "SAGG", SAGG_L = "SAGG"},
                                       out = dir .. "/s", formats = "svg"})
  local gp = readall(dir .. "/s.gp")
  check.truthy(gp:find("title 'SAGG (95% CI)'", 1, true) and gp:find("title 'STR (95% CI)'", 1, true), gp)
  local dat = readall(dir .. "/s.dat")
  check.truthy(dat:find("1 2 0.85 0.3 ", 1, true) and dat:find("2 1 0.15 1 ", 1, true), dat)
  os.execute("rm -rf '" .. dir .. "'")
end)

test("plot misuse is a usage error before anything is written", function()
  local dir = tempdir()
  local cases = {
    {function() tfp.levelsplot(f, {vars = "TFPP", out = dir .. "/x"}) end, "no column 'TFPP' (did you mean 'TFP'?)"},
    {function() tfp.levelsplot(f, {vars = "region", out = dir .. "/x"}) end, "column 'region' is text"},
    {function() tfp.levelsplot(f, {vars = "TFP"}) end, "option 'out'"},
    {function() tfp.levelsplot(f, {vars = "TFP", out = dir .. "/x", formats = "pdf"}) end, "unknown format 'pdf'"},
    {function() tfp.levelsplot(f, {vars = "TFP", by = "region", order = {"a\nb"}, out = dir .. "/x"}) end,
     "contains a control character"},
    {function() tfp.coefplot({fake(1, 1)}, {keep = "SAGG", out = dir .. "/x"}) end,
     "option 'keep': 'SAGG' matches no coefficient"},
    {function() tfp.coefplot({fake(1, 1, "a\rb")}, {keep = "SAGG_H", out = dir .. "/x"}) end,
     "fit label \"a\\13b\" contains a control character"},
    {function() tfp.coefplot({fake(1, 1)}, {keep = "SAGG_H", out = dir .. "/x", labels = {"a", "b"}}) end,
     "one label per model (1)"},
    {function() tfp.coefplot({fake(1, 1)}, {keep = "SAGG_H", out = dir .. "/x", legend = "top"}) end,
     "the legend is always below the plot"},
  }
  for i, c in ipairs(cases) do
    local ok, e = pcall(c[1])
    check.truthy(not ok, "case " .. i .. " raised")
    check.eq(type(e) == "table" and e.code, "usage", "case " .. i .. ": " .. tostring(e))
    check.truthy(tostring(e):find(c[2], 1, true), "case " .. i .. ": " .. tostring(e))
  end
  local p = io.popen("ls -A '" .. dir .. "'")
  check.eq(p:read("a"), "", "nothing written")
  p:close()
  os.execute("rm -rf '" .. dir .. "'")
end)

check.done()
