-- tfp.dea and tfp.malmquist from Lua, against the references in refs/dea/
-- (README there): Benchmarking, deaR, scipy/HiGHS and DEAP 2.1's printed output.
local check = dofile("lua/check.lua")

local function read(name) return tfp.read_csv("refs/dea/" .. name) end

-- "id/time" keys that do not depend on integer or float subtypes.
local function key(a, b)
  local function s(v) return type(v) == "number" and string.format("%.15g", v) or tostring(v) end
  return s(a) .. "/" .. s(b)
end

-- Row index of each (id, time) pair of a frame.
local function index(f, id, time)
  local at = {}
  for i = 1, f:nrow() do at[key(f[id][i], f[time][i])] = i end
  return at
end

check.test("dea reproduces Charnes 1981 in all four models to 1e-6", function()
  local f, want = read("charnes1981.csv"), read("charnes1981_expected.csv")
  local spec = {data = f, inputs = {"x1", "x2", "x3", "x4", "x5"}, outputs = {"y1", "y2", "y3"}}
  for _, m in ipairs{{"crs", "input", "crs_in"}, {"crs", "output", "crs_out"},
                     {"vrs", "input", "vrs_in"}, {"vrs", "output", "vrs_out"}} do
    spec.rts, spec.orientation = m[1], m[2]
    local te, info = tfp.dea(spec)
    check.eq(#te, 70)
    check.eq(info.n_lp, 70); check.eq(info.n_infeasible, 0)
    for i = 1, 70 do check.near(te[i], want[m[3]][i], 1e-6, m[3] .. " row " .. i) end
  end
end)

check.test("dea gives DEAP eg1's peers, weights and scale efficiencies", function()
  local f = read("deap_eg1_reproduced.csv")
  local g = read("deap_eg1_published_full_vs_deaR.csv")
  local te, info = tfp.dea{data = f, inputs = {"x1", "x2"}, outputs = "y", peers = true, scale = true}
  local w = {}
  for k = 1, info.peers:nrow() do
    w[key(info.peers.unit[k], info.peers.peer[k])] = info.peers.weight[k]
  end
  for i = 1, 5 do
    check.near(te[i], g.te[i], 6e-4, "published te " .. i)
    check.near(w[key(i, 2)] or 0, g.lambda_firm2[i], 1e-4, "lambda firm 2 for " .. i)
    check.near(w[key(i, 5)] or 0, g.lambda_firm5[i], 1e-4, "lambda firm 5 for " .. i)
    check.near(info.scale[i], f.te_crs_in[i] / f.te_vrs_in[i], 1e-6, "scale " .. i)
    check.near(info.vrs[i], f.te_vrs_in[i], 1e-6, "vrs " .. i)
  end
  check.eq(info.nature[2], "crs"); check.eq(info.nature[5], "crs")
end)

check.test("dea slacks and targets are DEAP eg1's second stage", function()
  local g = read("deap_eg1_published_full_vs_deaR.csv")
  local _, info = tfp.dea{data = g, inputs = {"x1", "x2"}, outputs = "y", slacks = true}
  check.eq(info.n_lp, 10); check.eq(info.n_slack_failed, 0)
  for i = 1, 5 do
    for _, v in ipairs{"x1", "x2", "y"} do
      check.near(info.slacks["slack_" .. v][i], g["slack_" .. v .. "_deaR"][i], 1e-6, "slack " .. v)
      check.near(info.targets["target_" .. v][i], g["target_" .. v .. "_deaR"][i], 1e-6, "target " .. v)
      check.near(info.targets["target_" .. v][i], g["target_" .. v][i], 6e-4, "DEAP target " .. v)
    end
  end
end)

check.test("a separate reference technology gives DEAP 111's cross-period distances", function()
  local d = read("deap111_data.csv")
  local want = read("deap111_reproduced_scipy_out.csv"):where{year = 2}
  local te, info = tfp.dea{data = d:where{year = 2}, reference = d:where{year = 1},
                           inputs = {"x1", "x2", "x3"}, outputs = {"y1", "y2", "y3"},
                           orientation = "output"}
  check.eq(info.n_infeasible, 0)
  for i = 1, 7 do check.near(te[i], want.crs_te_tech_tm1[i], 1e-6, "firm " .. i) end
  check.near(te[7], 0.631, 6e-4, "DEAP's printed value for firm 7")
end)

check.test("super-efficiency reports an infeasible LP as missing and counts it", function()
  local f = tfp.frame{{"x", {1, 2, 4}}, {"y", {1, 3, 4}}}
  local _, info = tfp.dea{data = f, inputs = "x", outputs = "y", rts = "vrs",
                          orientation = "output", super = true}
  check.eq(info.super[1], nil); check.eq(info.super_status[1], "infeasible")
  check.eq(info.super_infeasible, 1)
  check.near(info.super[3], 4 / 3, 1e-9)   -- by hand: (4,4) against (2,3)
end)

check.test("malmquist reproduces DEAP 111 distances and indexes in both orientations", function()
  local d = read("deap111_data.csv")
  for _, o in ipairs{"in", "out"} do
    local m, s = tfp.malmquist{data = d, id = "firm", time = "year", inputs = {"x1", "x2", "x3"},
                               outputs = {"y1", "y2", "y3"}, orientation = o .. "put"}
    check.eq(m:nrow(), 28); check.eq(s.n_changes, 21)
    local want = read("deap111_reproduced_scipy_" .. o .. ".csv")
    local at = index(m, "firm", "year")
    for i = 1, want:nrow() do
      local r = at[key(want.firm[i], want.year[i])]
      for _, c in ipairs{"crs_te_tech_tm1", "crs_te_tech_t", "crs_te_tech_tp1", "vrs_te",
                         "effch", "techch", "pech", "sech", "tfpch"} do
        if want[c][i] == nil then check.eq(m[c][r], nil, c)
        else check.near(m[c][r], want[c][i], 1e-6, c .. " row " .. i) end
      end
    end
  end
end)

check.test("malmquist summaries match DEAP 111's printed annual and firm means", function()
  local d = read("deap111_data.csv")
  local _, s = tfp.malmquist{data = d, id = "firm", time = "year", inputs = {"x1", "x2", "x3"},
                             outputs = {"y1", "y2", "y3"}}
  local annual, firm = read("deap111_published_annual_means.csv"), read("deap111_published_firm_means.csv")
  for _, c in ipairs{"effch", "techch", "pech", "sech", "tfpch"} do
    for i = 1, 3 do
      check.eq(s.by_period.year[i], tonumber(annual.year[i]))
      check.near(s.by_period[c][i], annual[c][i], 6e-4, c .. " year " .. annual.year[i])
    end
    for i = 1, 7 do
      check.eq(s.by_unit.firm[i], tonumber(firm.firm[i]))
      check.near(s.by_unit[c][i], firm[c][i], 6e-4, c .. " firm " .. i)
    end
    check.near(s.mean[c], annual[c][4], 6e-4, c .. " overall")
  end
end)

check.test("cumulative levels are products of deaR's eg4 changes, 1 in the first year", function()
  local p = read("deap_eg4_data_reconstructed.csv")
  local want = read("deap_eg4_malmquist_out_reproduced.csv")
  local m = tfp.malmquist{data = p, id = "firm", time = "year", inputs = "x", outputs = "y"}
  local at = index(m, "firm", "year")
  local level = {}
  for i = 1, want:nrow() do
    local firm = tonumber((tostring(want.dmu[i]):gsub("DMU", "")))
    local year = tonumber(want.period[i])
    local prev = level[firm] or {1, 1, 1}
    level[firm] = {prev[1] * want.tfpch[i], prev[2] * want.techch[i], prev[3] * want.effch[i]}
    local r = at[key(firm, year)]
    check.near(m.TFP[r], level[firm][1], 1e-6, "TFP " .. firm .. "/" .. year)
    check.near(m.TECH[r], level[firm][2], 1e-6, "TECH " .. firm .. "/" .. year)
    check.near(m.EFF[r], level[firm][3], 1e-6, "EFF " .. firm .. "/" .. year)
    local r1 = at[key(firm, 1)]
    check.eq(m.TFP[r1], 1); check.eq(m.TECH[r1], 1); check.eq(m.EFF[r1], 1)
    check.eq(m.tfpch[r1], nil)
  end
end)

check.test("string ids keep their name and type in the result", function()
  local f = tfp.frame{{"city", {"A", "B", "C", "A", "B", "C"}}, {"year", {1, 1, 1, 2, 2, 2}},
                      {"emp", {2, 4, 3, 2, 4, 3}}, {"gdp", {1, 3, 3, 2, 3, 4}}}
  local m, s = tfp.malmquist{data = f, id = "city", time = "year", inputs = "emp", outputs = "gdp"}
  check.eq(m.city[1], "A"); check.eq(m.year[2], 2); check.eq(s.by_unit.city[3], "C")
  -- By hand: CRS frontier slope 1 in year 1 (C), 4/3 in year 2 (C); A doubles gdp.
  check.near(m.effch[2], (2 / 2 / (4 / 3)) / (1 / 2 / 1), 1e-9)
end)

check.test("bad calls name the argument, column and row", function()
  local f = tfp.frame{{"city", {"A", "B", "C", "A"}}, {"year", {1, 1, 1, 1}},
                      {"emp", {2, 0, 3, 2}}, {"gdp", {1, 3, 3, 2}}}
  check.errors(function() tfp.dea{data = f, inputs = "labour", outputs = "gdp"} end,
               "tfp.dea: bad argument #1 (column 'labour' not found")
  check.errors(function() tfp.dea{data = f, inputs = "emp", outputs = "gdp"} end,
               "input 'emp', row 2: non-positive value 0")
  check.errors(function() tfp.dea{data = f, inputs = "gdp", outputs = "gdp", rts = "irs"} end,
               "option 'rts': unknown value 'irs'")
  check.errors(function() tfp.dea{inputs = "gdp", outputs = "gdp"} end, "option 'data' (the frame of DMUs) is required")
  check.errors(function() tfp.dea{data = 1, inputs = "gdp", outputs = "gdp"} end,
               "option 'data' must be a frame")
  check.errors(function() tfp.malmquist{data = f, id = "city", time = "year", inputs = "gdp",
                                        outputs = "gdp"} end,
               "duplicate city = A, year = 1 in rows 1 and 4")
  check.errors(function() tfp.malmquist{data = f, time = "year", inputs = "gdp", outputs = "gdp"} end,
               "option 'id'")
end)

check.done()
