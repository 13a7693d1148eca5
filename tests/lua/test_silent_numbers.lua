-- Silent wrong numbers (issue 11): each case must give a correct number or a
-- clear error / warning. Numbers are compared to an equivalent well-scaled
-- problem with the tolerance stated in each test.
local check = dofile("lua/check.lua")

-- 20 units x 6 years; u is constant within units (absorbed by the unit FE).
local function columns(shift)
  local c = {id = {}, t = {}, y = {}, x = {}, z = {}, z2 = {}, w = {}, u = {}, b = {}, bc = {}, one = {}}
  local n = 0
  for i = 1, 20 do
    for year = 1, 6 do
      n = n + 1
      c.id[n], c.t[n], c.one[n] = i, year, 1
      c.z[n], c.z2[n] = math.cos(3 * n), math.sin(11 * n)
      c.x[n] = c.z[n] + 0.5 * math.sin(n) + 0.3 * c.z2[n]
      c.w[n] = math.sin(5 * n)
      c.u[n] = i * 1.7 + 0.01
      c.b[n] = (shift or 0) + math.sin(13 * n)
      c.bc[n] = c.b[n] - (shift or 0)     -- exact: the same regressor, centred
      c.y[n] = 1 + 0.5 * c.x[n] + 0.2 * c.w[n] + math.sin(7 * n) + 0.1 * c.bc[n] + 0.3 * c.u[n]
    end
  end
  return c
end

local function frame(c, scale)
  local list = {}
  for _, name in ipairs{"id", "t", "y", "x", "z", "z2", "w", "u", "b", "bc", "one"} do
    local v = tfp.vector(c[name])
    if scale and name ~= "id" and name ~= "t" and name ~= "one" then v = v * scale end
    list[#list + 1] = {name, v}
  end
  local f = tfp.frame(list)
  f:panel("id", "t")
  return f
end

local function quiet(fn, ...)          -- collect warnings instead of printing them
  local seen = {}
  local old = warn
  warn = function(...) seen[#seen + 1] = table.concat({...}) end   -- luacheck: ignore 121 (restored below)
  local ok, r = pcall(fn, ...)
  warn = old   -- luacheck: ignore 121
  if not ok then error(r, 0) end
  return r, table.concat(seen, "\n")
end

local function rel(a, b) return math.abs(a - b) / math.abs(b) end

check.test("an endogenous regressor absorbed by the fixed effect is dropped with a note", function()
  local r, warned = quiet(tfp.ivreg, frame(columns()), "y ~ w | id | u ~ z + z2")
  check.eq(r.coef.u, nil, "coefficient of u")
  check.truthy(r.notes:find("endogenous regressor u omitted because of collinearity", 1, true), "note in r.notes")
  check.truthy(warned:find("u omitted", 1, true), "warning printed")
end)

-- The slope of b here is small against its standard error (|b| / se ~ 2e-3),
-- so its error is measured in standard errors; the rounding of BLAS sums
-- (which varies with OpenBLAS's blocking) moves it by ~1e-12 se.
check.test("a regressor with mean/sd 4e5 is kept and its slope matches the shifted regressor's", function()
  local f = frame(columns(3e5))
  for _, vce in ipairs{"unadjusted", "robust"} do
    local a = tfp.ivreg(f, "y ~ w + b | x ~ z + z2", {vce = vce})
    local b = tfp.ivreg(f, "y ~ w + bc | x ~ z + z2", {vce = vce})
    check.truthy(a.coef.b, "b kept (" .. vce .. ")")
    local dev = math.abs(a.coef.b - b.coef.bc) / b.se.bc
    check.truthy(dev < 1e-10, "slope of b vs shifted, in se: " .. dev)
    check.truthy(rel(a.se.b, b.se.bc) < 1e-9, "se of b vs shifted: " .. rel(a.se.b, b.se.bc))
    check.truthy(rel(a.coef.x, b.coef.x) < 1e-10, "slope of x: " .. rel(a.coef.x, b.coef.x))
    dev = math.abs(a.coef._cons - (b.coef._cons - 3e5 * b.coef.bc)) / a.se._cons
    check.truthy(dev < 1e-9, "constant moves by the mean, in se: " .. dev)
  end
end)

check.test("a regressor with mean/sd 1e4 has its slope right to 1e-10 standard errors", function()
  local f = frame(columns(1e4))
  local a = tfp.ivreg(f, "y ~ w + b | x ~ z + z2")
  local b = tfp.ivreg(f, "y ~ w + bc | x ~ z + z2")
  local dev = math.abs(a.coef.b - b.coef.bc) / b.se.bc
  check.truthy(dev < 1e-10, "slope of b, in se: " .. dev)
  check.truthy(rel(a.coef.x, b.coef.x) < 1e-11, "slope of x: " .. rel(a.coef.x, b.coef.x))
end)

check.test("a variable listed both as endogenous and as a control is an error naming it", function()
  local f = frame(columns())
  local e = check.errors(function() return tfp.ivreg(f, "y ~ w + x | x ~ z + z2") end,
    "variable 'x' is listed both as an endogenous regressor and as an exogenous regressor")
  local ok, err = pcall(tfp.ivreg, f, "y ~ w + x | x ~ z + z2")
  check.eq(ok, false); check.eq(err.code, "usage", "code of " .. e)
end)

check.test("2SLS and GMM results on data scaled by 1e-150 match the unscaled ones to 1e-12", function()
  local c = columns()
  local f, g, s = frame(c), frame(c, 1e-150), 1e-150
  for _, vce in ipairs{"unadjusted", "robust"} do
    for _, method in ipairs{"2sls", "gmm"} do
      local a = tfp.ivreg(f, "y ~ w | x ~ z + z2", {vce = vce, method = method})
      local b = tfp.ivreg(g, "y ~ w | x ~ z + z2", {vce = vce, method = method})
      local what = vce .. " " .. method
      check.truthy(rel(b.coef.x, a.coef.x) < 1e-12, what .. " coef")
      check.truthy(rel(b.se.x, a.se.x) < 1e-12, what .. " se x")
      check.truthy(rel(b.se._cons, a.se._cons * s) < 1e-12, what .. " se _cons")
      check.truthy(rel(b.rmse, a.rmse * s) < 1e-12, what .. " rmse")
      check.truthy(rel(b.hansen_j, a.hansen_j) < 1e-10, what .. " J")
      check.truthy(rel(b.kp_f, a.kp_f) < 1e-10, what .. " KP F")
      check.truthy(rel(b.first.x.coef.z, a.first.x.coef.z) < 1e-12, what .. " first stage")
    end
  end
end)

check.test("an instrument identical to the endogenous regressor gives infinite weak-id F with a note", function()
  local f = frame(columns())
  for _, vce in ipairs{"unadjusted", "robust"} do
    local r = quiet(tfp.ivreg, f, "y ~ w | x ~ x", {vce = vce})
    check.eq(r.cd_f, math.huge, vce .. " Cragg-Donald F")
    check.eq(r.kp_f, math.huge, vce .. " KP F")
    check.eq(r.first.x.F, math.huge, vce .. " first-stage F")
    check.truthy(r.notes:find("predict the endogenous regressor exactly", 1, true), "note")
  end
end)

check.test("one cluster is an error: ivreg2 needs at least 2", function()
  local f = frame(columns())
  check.errors(function() return tfp.ivreg(f, "y ~ w | x ~ z + z2", {vce = {cluster = "one"}}) end,
    "vce cluster needs at least 2 clusters: cluster variable 'one' has 1 cluster")
end)

check.test("a wholly missing cluster variable is named", function()
  local f = frame(columns())
  f.miss = tfp.vector({}, #f.y)
  check.errors(function() return tfp.ivreg(f, "y ~ w | x ~ z + z2", {vce = {cluster = "miss"}}) end,
    "cluster variable 'miss' has no non-missing value")
end)

-- DEA is units-invariant: Charnes et al. (1981) scaled to near 1e308, and
-- inputs at 1e-300 beside outputs at 1e300, give the unscaled scores.
check.test("dea scores of data near 1e308 or at 1e-300 beside 1e300 match the unscaled ones to 1e-9", function()
  local f = tfp.read_csv("refs/dea/charnes1981.csv")
  local inputs, outputs = {"x1", "x2", "x3", "x4", "x5"}, {"y1", "y2", "y3"}
  local function scaled(fn)
    local cols = {}
    for _, name in ipairs(inputs) do cols[#cols + 1] = {name, f[name] * fn(f, name, true)} end
    for _, name in ipairs(outputs) do cols[#cols + 1] = {name, f[name] * fn(f, name, false)} end
    return tfp.frame(cols)
  end
  local huge = scaled(function(g, name)
    local mx = 0
    for i = 1, #g[name] do mx = math.max(mx, g[name][i]) end
    return 1e308 / mx
  end)
  local mixed = scaled(function(_, _, input) return input and 1e-300 or 1e300 end)
  for _, m in ipairs{{"crs", "input"}, {"crs", "output"}, {"vrs", "input"}, {"vrs", "output"}} do
    local spec = {data = f, inputs = inputs, outputs = outputs, rts = m[1], orientation = m[2]}
    local want = tfp.dea(spec)
    for _, g in ipairs{huge, mixed} do
      spec.data = g
      local te, info = tfp.dea(spec)
      check.eq(info.n_failed, 0, "failed LPs"); check.eq(info.n_infeasible, 0, "infeasible LPs")
      for i = 1, #want do check.near(te[i], want[i], 1e-9, m[1] .. " " .. m[2] .. " row " .. i) end
    end
  end
end)

-- Chosen behaviour: an error naming the clash (not a silent rename).
check.test("malmquist with an id or time column named like a result is an error naming it", function()
  local d = tfp.read_csv("refs/dea/deap111_data.csv")
  local spec = {data = d, id = "firm", time = "year", inputs = {"x1", "x2", "x3"}, outputs = {"y1", "y2", "y3"}}
  d.TFP = d.firm
  spec.id = "TFP"
  check.errors(function() return tfp.malmquist(spec) end, "the id column 'TFP' has the name of a result column")
  d.effch = d.year
  spec.id, spec.time = "firm", "effch"
  local ok, e = pcall(tfp.malmquist, spec)
  check.eq(ok, false, "time named effch")
  check.eq(e.code, "usage")
  check.truthy(e:find("time column 'effch'", 1, true), "message: " .. tostring(e))
end)

check.test("read_csv keeps '007', 'NA' and '.' verbatim in a column declared string", function()
  local path = os.tmpname()
  local fh = assert(io.open(path, "wb"))
  fh:write("code,v\n007,1\nNA,2\n.,3\n,4\n")
  fh:close()
  local f = tfp.read_csv(path, {string = {"code"}})
  local g = tfp.read_csv(path)                       -- inferred: numeric, NA and . missing
  local h = tfp.read_csv(path, {string = {"code"}, na = {"", "NA"}})   -- an explicit na applies
  os.remove(path)
  check.eq(f.code[1], "007"); check.eq(f.code[2], "NA"); check.eq(f.code[3], "."); check.eq(f.code[4], nil)
  check.eq(g.code[1], 7); check.eq(g.code[2], nil); check.eq(g.code[3], nil)
  check.eq(h.code[2], nil); check.eq(h.code[3], ".")
end)

check.test("a value out of a double's range is a data error, not a text column", function()
  local path = os.tmpname()
  local fh = assert(io.open(path, "wb"))
  fh:write("a,b\n1,2\n3,1e400\n")
  fh:close()
  local ok, e = pcall(tfp.read_csv, path)
  os.remove(path)
  check.eq(ok, false); check.eq(e.code, "data")
  check.truthy(e:find(path .. ":3: column 2 'b': number '1e400' is out of range", 1, true), tostring(e))
end)

check.test("a lag with times at or above 2^53 is an error naming the time and row", function()
  local f = tfp.frame{{"id", {1, 1, 1}}, {"t", {2^53, 2^53 + 2, 2^53 + 4}}, {"x", {1, 2, 3}}}
  f:panel("id", "t")
  local ok, e = pcall(f.lag, f, "x", 1)
  check.eq(ok, false); check.eq(e.code, "data")
  check.truthy(e:find("time 't' is 9007199254740992 in row 1", 1, true), tostring(e))
  local g = tfp.frame{{"id", {1, 1}}, {"t", {2^53 - 2, 2^53 - 1}}, {"x", {1, 2}}}
  g:panel("id", "t")
  check.eq(g:lag("x", 1)[2], 1, "just below 2^53 still works")
end)

check.test("mean and sd of values whose sum overflows are right", function()
  local v = tfp.vector{1e308, 1e308, 1.5e308}
  check.near(v:mean(), 1e308 * (3.5 / 3), 1e-15, "mean")
  check.near(v:sd(), 0.5e308 / math.sqrt(3), 1e-14, "sd")
  check.eq(v:sum(), math.huge, "the sum itself is out of range")
  check.near(tfp.vector{1e-320, 3e-320}:mean(), 2e-320, 1e-3, "subnormal mean")
end)

check.test("an infinite total in lq is a data error naming the row", function()
  local f = tfp.frame{{"s", {1, 2}}, {"tot", {10, 1 / 0}}}
  local ok, e = pcall(tfp.lq, {data = f, sectors = {"s"}, total = "tot", by = false})
  check.eq(ok, false); check.eq(e.code, "data")
  check.truthy(e:find("row 2: total 'tot' is infinite", 1, true), tostring(e))
end)

check.test("lq of values near 1e308 equals lq of the same shares at unit scale", function()
  local a = tfp.lq{data = tfp.frame{{"s", {1e307, 2e307}}, {"tot", {1e308, 1.5e308}}}, sectors = {"s"}, total = "tot", by = false}
  local b = tfp.lq{data = tfp.frame{{"s", {1, 2}}, {"tot", {10, 15}}}, sectors = {"s"}, total = "tot", by = false}
  check.near(a[1], b[1], 1e-14); check.near(a[2], b[2], 1e-14)
end)

check.done()
