-- tfp.malmquist's reference technologies from Lua, against deaR's sequential
-- and global indexes on the synthetic green panel (refs/green/README_frontiers.md).
local check = dofile("lua/check.lua")

local panel = tfp.read_csv("refs/green/frontiers_synth_green_panel.csv")
panel:panel("id", "year")
local spec = {data = panel, inputs = {"capital", "labour"}, outputs = "output"}

local function with(o)
  local t = {}
  for k, v in pairs(spec) do t[k] = v end
  for k, v in pairs(o) do t[k] = v end
  return t
end

-- ref row -> (id, year_to) -> row of the Malmquist frame
local function rows_of(m)
  local at = {}
  for i = 1, m:nrow() do at[m.id[i] .. "/" .. math.tointeger(m.year[i])] = i end
  return at
end

local function near_or_na(got, want, what)
  if want ~= want then check.truthy(got ~= got, what .. " should be missing") return end
  check.near(got, want, 1e-6, what)
end

check.test("reference = 'sequential' reproduces deaR's sequential Malmquist in both orientations", function()
  for _, o in ipairs{{"input", "in"}, {"output", "out"}} do
    local m = tfp.malmquist(with{reference = "sequential", orientation = o[1]})
    local want = tfp.read_csv("refs/green/synth_malmquist_seq_" .. o[2] .. ".csv")
    local at = rows_of(m)
    check.eq(want:nrow(), 150)
    for i = 1, want:nrow() do
      local r = at[want.id[i] .. "/" .. math.tointeger(want.year_to[i])]
      near_or_na(m.tfpch[r], want.mi[i], "tfpch " .. i)
      near_or_na(m.effch[r], want.ec[i], "effch " .. i)
      near_or_na(m.techch[r], want.tc[i], "techch " .. i)
      near_or_na(m.pech[r], want.pech[i], "pech " .. i)
      near_or_na(m.sech[r], want.sech[i], "sech " .. i)
    end
  end
end)

check.test("reference = 'global' reproduces deaR's global index and adds the global distances", function()
  for _, o in ipairs{{"input", "in"}, {"output", "out"}} do
    local m = tfp.malmquist(with{reference = "Global", orientation = o[1]})
    local want = tfp.read_csv("refs/green/synth_malmquist_glob_" .. o[2] .. ".csv")
    local at = rows_of(m)
    for i = 1, want:nrow() do
      local r = at[want.id[i] .. "/" .. math.tointeger(want.year_to[i])]
      near_or_na(m.tfpch[r], want.mi_crs[i], "tfpch " .. i)
      near_or_na(m.techch[r], want.tc_crs[i], "techch " .. i)
      near_or_na(m.crs_te_global[r], want.d_glob_obs_t_crs[i], "crs_te_global " .. i)
      near_or_na(m.vrs_te_global[r], want.d_glob_obs_t_vrs[i], "vrs_te_global " .. i)
    end
    -- the chained TFP level is the global distance relative to the first year's
    local first = {}
    for i = 1, m:nrow() do
      if m.year[i] == 2001 then first[m.id[i]] = m.crs_te_global[i] end
      check.near(m.TFP[i], m.crs_te_global[i] / first[m.id[i]], 1e-9, "TFP " .. i)
    end
  end
end)

check.test("the default reference is contemporaneous, DEAP's, with no global columns", function()
  local a = tfp.malmquist(spec)
  local b = tfp.malmquist(with{reference = "contemporaneous"})
  for _, name in ipairs(a:names()) do check.truthy(name ~= "crs_te_global", "no global column") end
  for i = 1, a:nrow() do
    local x, y = a.tfpch[i], b.tfpch[i]
    check.truthy(x == y or (x ~= x and y ~= y), "row " .. i)
  end
end)
check.test("dea's bootstrap returns eff, eff_bc, bias, lower, upper for every unit, the same on any thread count", function()
  local y = panel:where{year = 2006}
  local spec2 = {data = y, inputs = {"capital", "labour"}, outputs = "output", rts = "vrs"}
  local te = tfp.dea(spec2)
  spec2.bootstrap = {reps = 200, seed = 11, threads = 1}
  local a, ia = tfp.dea(spec2)
  spec2.bootstrap = {reps = 200, seed = 11, threads = 2}
  local b, ib = tfp.dea(spec2)
  check.eq(a:nrow(), 30)
  check.eq(ia.threads, 1); check.eq(ib.threads, 2)
  check.near(ia.bandwidth, 0.090128656121362, 1e-9)
  for i = 1, 30 do
    check.eq(a.eff[i], te[i])
    check.eq(a.eff_bc[i], b.eff_bc[i]); check.eq(a.lower[i], b.lower[i]); check.eq(a.upper[i], b.upper[i])
    check.truthy(a.lower[i] <= a.eff_bc[i] and a.eff_bc[i] <= a.eff[i] and a.upper[i] <= a.eff[i] + 1e-12, "row " .. i)
    check.near(a.bias[i], a.eff[i] - a.eff_bc[i], 1e-12)
  end
  spec2.bootstrap = {reps = 200, seed = 11, threads = 2, bandwidth = 0.05, alpha = 0.1}
  local c, ic = tfp.dea(spec2)
  check.eq(ic.bandwidth, 0.05); check.eq(ic.alpha, 0.1)
  check.truthy(c.eff_bc[1] ~= a.eff_bc[1], "another bandwidth, other numbers")
end)

check.test("malmquist's bootstrap adds bias-corrected values and intervals for tfpch and its parts", function()
  local a, sa = tfp.malmquist(with{bootstrap = {reps = 60, seed = 2, threads = 1}})
  local b = tfp.malmquist(with{bootstrap = {reps = 60, seed = 2, threads = 2}})
  local plain = tfp.malmquist(spec)
  check.eq(sa.bootstrap.reps, 60)
  check.near(sa.bootstrap.bandwidth[2], 30 ^ (-1 / 6), 1e-12)
  for _, part in ipairs{"effch", "techch", "pech", "sech", "tfpch"} do
    for i = 1, a:nrow() do
      local est, lo, hi = a[part][i], a[part .. "_lower"][i], a[part .. "_upper"][i]
      check.eq(est, plain[part][i], part .. " estimate " .. i)   -- missing values read as nil
      if est ~= nil then
        check.truthy(lo <= hi, part .. " interval " .. i)
        check.eq(lo, b[part .. "_lower"][i]); check.eq(a[part .. "_bc"][i], b[part .. "_bc"][i])
      else
        check.eq(lo, nil, part .. " no interval without a change, row " .. i)
      end
    end
  end
  check.errors(function() tfp.malmquist(with{bootstrap = true, reference = "sequential"}) end,
    "contemporaneous reference")
end)

check.done()
