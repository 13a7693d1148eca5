-- Misuse of every public function that takes options, driven by the option
-- registry (lua/options.lua): an unknown key, a near miss, a wrong type and
-- each foreign spelling the registry knows must raise a usage error that
-- names the function and the word. A function added to the registry without
-- a way to call it here fails the first test.
local check = dofile("lua/check.lua")
local O = require "tfp.options"

local panel = tfp.frame{
  {"city", {1, 1, 2, 2}}, {"year", {2003, 2004, 2003, 2004}},
  {"gdp", {10, 11, 20, 22}}, {"emp", {5, 5, 8, 9}}, {"s1", {1, 1, 2, 2}},
  {"inv", {2, 2, 3, 3}}, {"price", {100, 102, 100, 101}},
}
panel:panel("city", "year")
local card = tfp.read_csv("refs/stata-ivreg2/card_data.csv")
local iv = "lwage ~ exper | educ ~ nearc4"
local csv = os.tmpname()
do local h = assert(io.open(csv, "w")); h:write("a,b\n1,2\n"); h:close() end
local plotdir = os.tmpname()   -- figures drawn by the calls below
os.remove(plotdir)
assert(os.execute("mkdir '" .. plotdir .. "'"))

-- with(base, o): o plus the base's keys it does not set (the required options).
local function with(base, o)
  for k, v in pairs(base) do if o[k] == nil then o[k] = v end end
  return o
end

-- How to call each registered function with an options table o.
local calls = {
  ["tfp.read_csv"] = function(o) return tfp.read_csv(csv, o) end,
  ["tfp.data"] = function(o) return tfp.data("cities", o) end,
  ["tfp.read_dta"] = function(o) return tfp.read_dta(csv, o) end,
  ["tfp.dea"] = function(o) return tfp.dea(with({data = panel, inputs = "emp", outputs = "gdp"}, o)) end,
  ["tfp.malmquist"] = function(o)
    return tfp.malmquist(with({data = panel, inputs = "emp", outputs = "gdp"}, o))
  end,
  ["tfp.sbm"] = function(o) return tfp.sbm(with({data = panel, inputs = "emp", outputs = "gdp"}, o)) end,
  ["tfp.ddf"] = function(o) return tfp.ddf(with({data = panel, inputs = "emp", outputs = "gdp"}, o)) end,
  ["tfp.lq"] = function(o) return tfp.lq(with({data = panel, sectors = "s1", total = "emp"}, o)) end,
  ["tfp.capital_stock"] = function(o) return tfp.capital_stock(with({data = panel, investment = "inv"}, o)) end,
  ["tfp.deflate"] = function(o) return tfp.deflate("gdp", "price", with({data = panel, base = 2003}, o)) end,
  ["tfp.ivreg"] = function(o) return tfp.ivreg(card, iv, o) end,
  ["tfp.model"] = function(o) return tfp.model(iv, o) end,
  ["m:with"] = function(o) return tfp.model(iv):with(o) end,
  ["tfp.table"] = function(o) return tfp.table({tfp.ivreg(card, iv)}, o) end,
  ["tfp.controls"] = function(o) return tfp.controls(o) end,
  ["tfp.summary"] = function(o) return tfp.summary(panel, {"gdp", "emp"}, o) end,
  ["tfp.correlate"] = function(o) return tfp.correlate(panel, {"gdp", "emp"}, o) end,
  ["tfp.levelsplot"] = function(o)
    return tfp.levelsplot(panel, with({vars = "gdp", out = plotdir .. "/l", formats = "svg"}, o))
  end,
  ["tfp.coefplot"] = function(o)
    return tfp.coefplot({tfp.ivreg(card, iv)}, with({keep = "educ", out = plotdir .. "/c", formats = "svg"}, o))
  end,
  ["m:curve"] = function(o) return tfp.model(iv):curve(with({data = card}, o)) end,
  ["tfp.curvesummary"] = function(o) return tfp.curvesummary(tfp.model(iv):curve{data = card}, o) end,
  ["tfp.curveplot"] = function(o)
    return tfp.curveplot(tfp.model(iv):curve{data = card}, with({out = plotdir .. "/cv", formats = "svg"}, o))
  end,
  ["f:merge"] = function(o)
    return panel:merge(tfp.frame{{"city", {1, 2}}, {"region", {"East", "West"}}}, with({on = "city"}, o))
  end,
  ["f:collapse"] = function(o) return panel:collapse(with({mean = "gdp"}, o)) end,
}

check.test("every function in the registry has a misuse case here", function()
  for _, fn in ipairs(O.functions()) do check.truthy(calls[fn], "a call for " .. fn) end
end)

check.test("every function accepts its own defaults", function()
  for _, fn in ipairs(O.functions()) do
    if fn ~= "tfp.read_dta" and fn ~= "tfp.controls" then
      local ok, err = pcall(calls[fn], {})
      check.truthy(ok, fn .. " with no options: " .. tostring(err))
    end
  end
end)

-- The error must be a usage tfp.error whose text names fn and every fragment.
local function misuse(fn, o, ...)
  local ok, err = pcall(calls[fn], o)
  check.truthy(not ok, fn .. " accepted " .. tostring(next(o)))
  local mt = getmetatable(err)
  check.eq(mt and mt.__name, "tfp.error", fn .. ": error object")
  check.eq(err.code, "usage", fn .. ": error code")
  local text = tostring(err)
  for _, fragment in ipairs({fn .. ":", ...}) do
    check.truthy(text:find(fragment, 1, true), fn .. ": '" .. text .. "' names " .. fragment)
  end
  check.truthy(text:find("test_options.lua:%d+:"), fn .. ": located at the caller's line in " .. text)
  return text
end

check.test("an unknown key is an error naming the function and the key", function()
  for _, fn in ipairs(O.functions()) do
    if fn == "tfp.controls" then
      misuse(fn, {["not a name"] = "x"}, "'not a name'")
    else
      misuse(fn, {zzqx = 1}, "unknown option 'zzqx'")
    end
  end
end)

check.test("a near miss suggests the option (did you mean)", function()
  for _, fn in ipairs(O.functions()) do
    local e = O.entry(fn)
    for _, o in ipairs(e.opts) do
      local typo = o.name:sub(1, -2)
      if #o.name >= 4 and not (e.hints and e.hints[typo]) and not e.by[typo] then
        misuse(fn, {[typo] = 1}, "unknown option '" .. typo .. "'", "did you mean '" .. o.name .. "'")
      end
    end
  end
end)

check.test("a wrong type names the option and the expected type", function()
  for _, fn in ipairs(O.functions()) do
    for _, o in ipairs(O.entry(fn).opts) do
      misuse(fn, {[o.name] = print}, "option '" .. o.name .. "'")
    end
  end
  misuse("tfp.capital_stock", {delta = "0.05"}, "option 'delta' must be a number", "'0.05'")
  misuse("tfp.capital_stock", {delta = 5}, "option 'delta' must be between 0 and 1")
  misuse("tfp.dea", {peers = "yes"}, "option 'peers' must be true or false")
  misuse("tfp.lq", {by = 2003}, "option 'by' must be a column name")
end)

check.test("foreign spellings (Stata, fixest, DEAP) get a hint", function()
  for _, fn in ipairs(O.functions()) do
    for key, hint in pairs(O.entry(fn).hints or {}) do
      misuse(fn, {[key] = "x"}, "unknown option '" .. key .. "'", hint)
    end
  end
  misuse("tfp.ivreg", {method = "gmm", cluster = "nearc4"}, "vce = {cluster = 'city'}")
  misuse("tfp.ivreg", {vcov = "hc1"}, "fixest's vcov")
  misuse("tfp.ivreg", {se = "cluster"}, "fixest's se")
  misuse("tfp.ivreg", {robust = true}, "vce = 'robust'")
  misuse("tfp.lq", {group = "year"}, "option 'by'")
  misuse("tfp.capital_stock", {depreciation = 0.05}, "option 'delta'")
  misuse("tfp.dea", {orient = "output"}, "did you mean 'orientation'")
  misuse("tfp.ivreg", {methd = "gmm"}, "did you mean 'method'")
  misuse("tfp.table", {kep = "SAGG"}, "did you mean 'keep'")
end)

check.test("enumerated values are checked and matched case-insensitively", function()
  misuse("tfp.ivreg", {method = "lmil"}, "option 'method': unknown value 'lmil'", "2sls, gmm")
  misuse("tfp.ivreg", {vce = "hc1"}, "vce = 'robust'")
  misuse("tfp.ivreg", {vce = "cluster"}, "vce = {cluster = 'city'}")
  misuse("tfp.ivreg", {vce = {clustr = "x"}}, "'clustr'")
  misuse("tfp.dea", {rts = "irs"}, "unknown value 'irs'", "crs, vrs, nirs, ndrs")
  misuse("tfp.sbm", {orientation = "non-oriented"}, "unknown value 'non-oriented'", "nonoriented, input, output")
  misuse("tfp.malmquist", {index = "gm"}, "unknown value 'gm'", "did you mean 'gml'")
  misuse("tfp.malmquist", {rts = "vrs"}, "option 'rts' is for the directional indexes")
  misuse("tfp.malmquist", {bad_outputs = "s1"}, "option 'bad_outputs' is for the directional indexes")
  misuse("tfp.ddf", {direction = "given"}, "option 'direction' must be \"observed\" or a table")
  misuse("tfp.ddf", {direction = {gdp = -1}}, "option 'direction' gives gdp the direction -1")
  misuse("tfp.ddf", {direction = {gpd = 1}}, "option 'direction' names 'gpd', which is not an input or output")
  misuse("tfp.sbm", {super = true, bad_outputs = "s1"}, "super = true takes no bad_outputs")
  misuse("tfp.dea", {group = "city", super = true}, "option 'group' (the metafrontier) takes none of")
  misuse("tfp.malmquist", {reference = "seq"}, "option 'reference': unknown value 'seq'",
    "contemporaneous, sequential, global")
  misuse("tfp.malmquist", {reference = "globl"}, "did you mean 'global'")
  misuse("tfp.dea", {bootstrap = {rep = 100}}, "option 'bootstrap' has no field 'rep'", "did you mean 'reps'")
  misuse("tfp.dea", {bootstrap = {reps = 1}}, "field 'reps' must be an integer from 2")
  misuse("tfp.dea", {bootstrap = {alpha = 5}}, "field 'alpha' must be between 0 and 1")
  misuse("tfp.dea", {bootstrap = {bandwidth = -1}}, "field 'bandwidth' must be a positive number")
  misuse("tfp.dea", {bootstrap = {seed = "x"}}, "field 'seed' must be a number")
  misuse("tfp.dea", {bootstrap = 100}, "option 'bootstrap' must be a table")
  misuse("tfp.dea", {bootstrap = true, slacks = true}, "cannot be combined with 'slacks'")
  check.eq(tfp.ivreg(card, iv, {method = "GMM"}).method, "gmm")
  check.eq(tfp.ivreg(card, iv, {vce = "Robust"}).vce, "robust")
  local a = tfp.dea{data = panel, inputs = "emp", outputs = "gdp", rts = "VRS", orientation = "Output"}
  local b = tfp.dea{data = panel, inputs = "emp", outputs = "gdp", rts = "vrs", orientation = "output"}
  for i = 1, 4 do check.eq(a[i], b[i]) end
end)

check.test("options given positionally or as a non-table are named", function()
  misuse("tfp.dea", {"emp"}, "has no name")
  local ok, err = pcall(tfp.ivreg, card, iv, "gmm")
  check.truthy(not ok and tostring(err):find("tfp.ivreg: options must be a table", 1, true), tostring(err))
end)

check.test("id, time and by default to the frame's declared panel, never to pooling", function()
  local lq = tfp.lq{data = panel, sectors = "s1", total = "emp"}
  local by_year = tfp.lq{data = panel, sectors = "s1", total = "emp", by = "year"}
  for i = 1, 4 do check.eq(lq[i], by_year[i]) end
  local k = tfp.capital_stock{data = panel, investment = "inv"}
  local k2 = tfp.capital_stock{data = panel, investment = "inv", id = "city", time = "year"}
  for i = 1, 4 do check.eq(k[i], k2[i]) end
  local flat = tfp.frame{{"city", {1, 2}}, {"year", {2003, 2003}}, {"s1", {1, 2}}, {"emp", {5, 8}}, {"inv", {1, 1}}}
  check.errors(function() tfp.lq{data = flat, sectors = "s1", total = "emp"} end,
    "option 'by' (the period column) is not given and the frame has no declared panel")
  check.errors(function() tfp.capital_stock{data = flat, investment = "inv"} end, "option 'id'")
  check.errors(function() tfp.malmquist{data = flat, inputs = "emp", outputs = "s1"} end, "option 'id'")
  local pooled = tfp.lq{data = flat, sectors = "s1", total = "emp", by = false}
  check.near(pooled[1], (1 / 5) / (3 / 13), 1e-12)
end)

check.test("help shows each function's options with their true defaults", function()
  local text = O.help("tfp.capital_stock")
  check.truthy(text:find("delta%s+number, 0.096: depreciation rate"), text)
  check.truthy(O.help("tfp.lq"):find("by%s+column|false, the panel's time"), "lq's by")
  check.truthy(O.help("tfp.ivreg"):find("method", 1, true), "ivreg's method")
  check.eq(O.name_of(tfp.lq), "tfp.lq")
  check.eq(table.concat(O.names_of(tfp.lq), ","), "by,data,id,missing,sectors,total")
end)

check.test("m:update removing a term that is not in the model is an error naming it", function()
  local m = tfp.model("lwage ~ exper + black | educ ~ nearc4")
  local err = check.errors(function() m:update(". ~ . - blak") end, "cannot remove 'blak'")
  check.truthy(err:find("exper, black", 1, true), err)
  check.eq(#m:update(". ~ . - black").specs[1].exog, 1)
end)

check.test("data errors name the function, the unit and the year, not only a row", function()
  local g = panel:copy()
  g:panel("city", "year")
  g.emp = tfp.vector{5, 5, 8, -9}
  local function data_error(fn, call, fragment)
    local ok, err = pcall(call)
    check.truthy(not ok, fn .. " raised")
    check.eq(err.code, "data", fn .. ": code of " .. tostring(err))
    check.truthy(tostring(err):find(fn .. ": ", 1, true), fn .. " named in " .. tostring(err))
    check.truthy(tostring(err):find(fragment, 1, true), "'" .. fragment .. "' in " .. tostring(err))
  end
  local where = "city 2, year 2004 (row 4)"
  data_error("tfp.lq", function() return tfp.lq{data = g, sectors = "s1", total = "emp"} end, where)
  data_error("tfp.dea", function() return tfp.dea{data = g, inputs = "emp", outputs = "gdp"} end, where)
  data_error("tfp.malmquist", function() return tfp.malmquist{data = g, inputs = "emp", outputs = "gdp"} end, where)
  g.emp = tfp.vector{5, 5, 8, 1 / 0}
  data_error("tfp.ivreg", function() return tfp.ivreg(g, "gdp ~ emp | city") end, where)
end)

check.test("an option that does not apply to the chosen model is refused, not ignored", function()
  for _, o in ipairs({{reference = "sequential"}, {orientation = "input"}, {warm_start = false}}) do
    o.index = "ml"; o.bad_outputs = "s1"
    misuse("tfp.malmquist", o, "is for DEAP's radial index")
  end
  tfp.controls{x_set = "a + b"}
  check.eq(tfp.controls()._given, nil, "no bookkeeping among the control sets")
end)

check.test("threads is a whole number of 1 to 256, for DEA and DEAP's Malmquist only", function()
  misuse("tfp.dea", {threads = 0}, "option 'threads'")
  misuse("tfp.dea", {threads = 1.5}, "option 'threads'")
  misuse("tfp.malmquist", {threads = 257}, "option 'threads'")
  misuse("tfp.malmquist", {threads = 2, index = "ml", bad_outputs = "s1"}, "is for DEAP's radial index")
end)

check.test("the VCE tables are checked: kernels, bandwidths, keys, the panel they need", function()
  misuse("tfp.ivreg", {vce = {hac = "bartlet", bw = 2}}, "kernel 'bartlet' is not one of", "bartlett, parzen")
  misuse("tfp.ivreg", {vce = {hac = "bartlett"}}, "needs the bandwidth")
  misuse("tfp.ivreg", {vce = {hac = "qs", bw = -1}}, "bw must be a positive number or 'auto'")
  misuse("tfp.ivreg", {vce = {dkraay = 0}}, "bw must be a positive number")
  misuse("tfp.ivreg", {vce = {dkraay = "automatic"}}, "bw must be a positive number or 'auto', got 'automatic'")
  misuse("tfp.ivreg", {vce = {cluster = "year", kernel = "qs", bw = "max"}}, "or 'auto'")
  misuse("tfp.ivreg", {vce = {dkraay = 2, bw = 3}}, "{dkraay = ...} has key 'bw'")
  misuse("tfp.ivreg", {vce = {cluster = {"a", "b", "c"}}}, "one or two variables")
  misuse("tfp.ivreg", {vce = {cluster = "age", kernel = "parzen"}}, "needs the bandwidth bw")
  misuse("tfp.ivreg", {vce = {cluster = "age", hac = "qs", bw = 2}}, "one VCE at a time")
  misuse("tfp.ivreg", {vce = "hac"}, "vce = {hac = 'bartlett', bw = n}")
  misuse("tfp.ivreg", {vce = "newey-west"}, "vce = {hac = 'bartlett', bw = n}")
  misuse("tfp.ivreg", {vce = "dkraay"}, "vce = {dkraay = n}")
  misuse("tfp.ivreg", {vce = {hac = "bartlett", bw = 2}}, "{hac = ...} needs time = 'var' or a declared panel")
  misuse("tfp.ivreg", {vce = "kiefer"}, "'kiefer' needs a panel")
  misuse("tfp.ivreg", {vce = {dkraay = 2}}, "{dkraay = ...} needs a panel")
  misuse("tfp.ivreg", {vce = {cluster = {"age", "nearc5"}}}, "no cluster variable 'nearc5'", "did you mean 'nearc")
  misuse("tfp.ivreg", {vce = {hac = "bartlett", bw = 2, time = "yr"}}, "no time variable 'yr'")
  check.eq(tfp.ivreg(card, iv, {vce = {hac = "Tukey-Hanning", bw = 3, time = "id"}}).kernel, "thanning")
  check.eq(tfp.ivreg(card, iv, {vce = {cluster = {"age", "nearc4"}}}).N_clust2, 2)
end)

check.test("r:ar_test is for one endogenous regressor and a number", function()
  local r = tfp.ivreg(card, iv)
  local ok, err = pcall(r.ar_test, r, "0")
  check.truthy(not ok and tostring(err):find("b0 must be a number", 1, true), tostring(err))
  local ols = tfp.ivreg(card, "lwage ~ exper + educ")
  ok, err = pcall(ols.ar_test, ols, 0)
  check.truthy(not ok and tostring(err):find("exactly one endogenous regressor", 1, true), tostring(err))
end)

os.remove(csv)
os.execute("rm -rf '" .. plotdir .. "'")
check.done()
