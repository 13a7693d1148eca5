-- tfp.sbm, tfp.ddf, tfp.malmquist{index = "ml" | "gml" | "luenberger"} and the
-- metafrontier (option group) through Lua, against refs/green (scipy/HiGHS,
-- cross-checked with deaR and Benchmarking; README there): 1e-6 absolute,
-- NA (infeasible) patterns exactly.
local check = dofile("lua/check.lua")
warn("@off")   -- the warnings checked are those of child processes (stderr_of)

local panel = tfp.read_csv("refs/green/synth_green_panel.csv")
panel:panel("id", "year")
local X, Y, B = {"capital", "labour"}, "output", "emissions"

-- ref: a reference frame; col: its column; got: values in the same row order.
-- A missing value reads as nil (or NaN); n defaults to #want.
local function same(got, want, what, n)
  n = n or #want
  for i = 1, n do
    local w, g = want[i], got[i]
    if w == nil or w ~= w then check.truthy(g == nil or g ~= g, string.format("%s row %d: NA, got %s", what, i, tostring(g)))
    else check.near(g, w, 1e-6, string.format("%s row %d", what, i)) end
  end
end

-- The reference's column restricted to one year, in the panel's order.
local function year_of(ref, col, year)
  return ref:where{year = year}[col]
end

check.test("sbm matches the references in every variant, year by year", function()
  local ref = tfp.read_csv("refs/green/synth_sbm.csv")
  local refu = tfp.read_csv("refs/green/synth_sbm_undesirable.csv")
  for year = 2001, 2006 do
    local f = panel:where{year = year}
    for _, rts in ipairs({"crs", "vrs"}) do
      for _, or_ in ipairs({"nonoriented", "input", "output"}) do
        local rho = tfp.sbm{data = f, inputs = X, outputs = Y, rts = rts, orientation = or_}
        same(rho, year_of(ref, "rho_sbm_" .. rts .. "_" .. or_, year), "sbm " .. rts .. " " .. or_)
      end
      local rho = tfp.sbm{data = f, inputs = X, outputs = Y, bad_outputs = B, rts = rts}
      same(rho, year_of(refu, "rho_sbmu_" .. rts, year), "sbm undesirable " .. rts)
    end
  end
end)

check.test("super-sbm scores, flags and infeasible units match; slacks give the targets", function()
  local ref = tfp.read_csv("refs/green/synth_supersbm.csv")
  local f = panel:where{year = 2003}
  local score, info = tfp.sbm{data = f, inputs = X, outputs = Y, rts = "vrs", super = true, slacks = true}
  same(score, year_of(ref, "score_sbm_or_supersbm_vrs", 2003), "score")
  same(info.super, year_of(ref, "delta_supersbm_vrs_nonoriented", 2003), "super")
  local flags = year_of(ref, "sbm_efficient_vrs", 2003)
  for i = 1, 30 do check.eq(info.efficient[i], flags[i] == 1, "efficient " .. i) end
  for i = 1, f:nrow() do
    check.near(info.targets.target_capital[i], f.capital[i] - info.slacks.slack_capital[i], 1e-12, "target")
    check.near(info.targets.target_output[i], f.output[i] + info.slacks.slack_output[i], 1e-12, "target")
  end
  local s2, i2 = tfp.sbm{data = f, inputs = X, outputs = Y, rts = "vrs", super = true, orientation = "input"}
  same(i2.super, year_of(ref, "delta_supersbm_vrs_input", 2003), "super input vrs")
  check.eq(i2.super_infeasible, 1, "U22 infeasible")
  check.eq(i2.super_status[22], "infeasible")
  check.truthy(s2[22] == nil or s2[22] ~= s2[22], "score of U22 missing")
end)

-- Warnings go to stderr through the host: run a chunk in a child tfpkit.
local function stderr_of(chunk)
  local path = os.tmpname()
  local fh = assert(io.open(path, "w"))
  fh:write(chunk, "\n")
  fh:close()
  local p = assert(io.popen(string.format("'%s' '%s' 2>&1", arg[-1], path)))
  local out = p:read("a")
  p:close()
  os.remove(path)
  return out
end

check.test("infeasible super-sbm units are named in a warning, never silently NaN", function()
  local out = stderr_of([[
    local f = tfp.read_csv("refs/green/synth_green_panel.csv"):where{year = 2001}
    f:panel("id", "year")
    tfp.sbm{data = f, inputs = {"capital", "labour"}, outputs = "output", rts = "vrs", super = true, orientation = "output"}]])
  check.truthy(out:find("sbm: super-SBM LP infeasible (score missing) for 2 of 30: id U03, year 2001 (row 3); "
    .. "id U24, year 2001 (row 24)", 1, true), out)
end)

check.test("ddf matches: contemporaneous, without the bad output, against the pooled panel", function()
  local ref = tfp.read_csv("refs/green/synth_ddf.csv")
  for _, rts in ipairs({"crs", "vrs"}) do
    for year = 2001, 2006 do
      local f = panel:where{year = year}
      local beta, info = tfp.ddf{data = f, inputs = X, outputs = Y, bad_outputs = B, rts = rts}
      same(beta, year_of(ref, "ddf_" .. rts, year), "ddf " .. rts)
      for i = 1, #beta do check.near(info.eff[i], 1 / (1 + beta[i]), 1e-12, "eff") end
      same(tfp.ddf{data = f, inputs = X, outputs = Y, rts = rts}, year_of(ref, "ddf_nobad_" .. rts, year), "nobad")
      same(tfp.ddf{data = f, inputs = X, outputs = Y, bad_outputs = B, rts = rts, reference = panel},
        year_of(ref, "ddf_global_" .. rts, year), "global")
    end
  end
end)

check.test("a direction table: numbers and columns; the observed direction as columns is the default", function()
  local f = panel:where{year = 2006}
  local a = tfp.ddf{data = f, inputs = X, outputs = Y, bad_outputs = B}
  local b = tfp.ddf{data = f, inputs = X, outputs = Y, bad_outputs = B, direction = {output = "output", emissions = "emissions"}}
  same(b, a, "observed as columns")
  local c = tfp.ddf{data = f, inputs = X, outputs = Y, bad_outputs = B, direction = {output = 1, emissions = 1}}
  check.truthy(c[1] ~= a[1], "a unit direction differs")
end)

check.test("the metafrontier with years as groups gives the contemporaneous and global DDFs", function()
  local ref = tfp.read_csv("refs/green/synth_ddf.csv")
  local m, info = tfp.ddf{data = panel, inputs = X, outputs = Y, bad_outputs = B, group = "year"}
  same(m.beta_group, ref.ddf_crs, "group")
  same(m.beta_meta, ref.ddf_global_crs, "meta")
  for i = 1, m:nrow() do
    check.near(m.tgr[i], m.eff_meta[i] / m.eff_group[i], 1e-12, "tgr")
    check.truthy(m.tgr[i] <= 1 + 1e-9, "tgr <= 1")
  end
  check.eq(info.n_groups, 6)
  local r = tfp.dea{data = panel, inputs = X, outputs = Y, group = "year", rts = "vrs"}
  local own = tfp.dea{data = panel:where{year = 2004}, inputs = X, outputs = Y, rts = "vrs"}
  local g = r:where{year = 2004}
  same(g.eff_group, own, "radial group frontier")
  same(tfp.dea{data = panel, inputs = X, outputs = Y, rts = "vrs"}, r.eff_meta, "radial metafrontier")
end)

-- ref row i (id, year_from, year_to) is the change on the row (id, year_to).
local function later_rows(out, ref, col)
  local byrow = {}
  for i = 1, out:nrow() do byrow[out.id[i] .. "/" .. out.year[i]] = out[col][i] end
  local got = {}
  for i = 1, ref:nrow() do got[i] = byrow[ref.id[i] .. "/" .. ref.year_to[i]] end
  return got
end

check.test("malmquist index = ml, gml, luenberger match the references, CRS and VRS", function()
  local files = {ml = "synth_ml", gml = "synth_gml", luenberger = "synth_luenberger"}
  local comps = {ml = {"ml", "mleffch", "mltech"}, gml = {"gml", "ec", "bpc"}, luenberger = {"l", "leffch", "ltech"}}
  for index, file in pairs(files) do
    local ref = tfp.read_csv("refs/green/" .. file .. ".csv")
    for _, rts in ipairs({"crs", "vrs"}) do
      local out, info = tfp.malmquist{data = panel, inputs = X, outputs = Y, bad_outputs = B, index = index, rts = rts}
      for _, c in ipairs(comps[index]) do
        same(later_rows(out, ref, c), ref[c .. "_" .. rts], index .. " " .. c, ref:nrow())
      end
      check.eq(info.n_changes, 150)
      check.eq(info.index, index)
      if index == "gml" then check.eq(info.n_infeasible, 0) end
      if index == "ml" then
        check.eq(info.n_infeasible, rts == "crs" and 37 or 77)
        check.eq(info.infeasible:nrow(), info.n_infeasible)
      end
    end
  end
end)

check.test("levels chain the changes: products for gml, sums for the Luenberger indicator", function()
  local g = tfp.malmquist{data = panel, inputs = X, outputs = Y, bad_outputs = B, index = "gml"}
  local l = tfp.malmquist{data = panel, inputs = X, outputs = Y, bad_outputs = B, index = "luenberger"}
  check.eq(g.TFP[1], 1)
  check.eq(l.TFP[1], 0)
  check.near(g.TFP[3], g.gml[2] * g.gml[3], 1e-12, "gml level")
  check.near(g.EFF[3] * g.TECH[3], g.TFP[3], 1e-12, "ec * bpc")
  check.near(l.TFP[3], l.l[2] + l.l[3], 1e-12, "l level")
end)

check.test("infeasible mixed-period LPs are named in a warning", function()
  local out = stderr_of([[
    local f = tfp.read_csv("refs/green/synth_green_panel.csv")
    tfp.malmquist{data = f, id = "id", time = "year", inputs = {"capital", "labour"}, outputs = "output",
                  bad_outputs = "emissions", index = "ml"}]])
  check.truthy(out:find("malmquist (ml): 37 mixed-period LPs infeasible", 1, true), out)
  check.truthy(out:find("against the technology of year ", 1, true), out)
end)

check.test("data errors name the unit and year", function()
  local f = panel:copy()
  f:panel("id", "year")
  local e = {}
  for i = 1, f:nrow() do e[i] = i == 5 and -1 or f.emissions[i] end
  f.emissions = tfp.vector(e)
  local err = check.errors(function() tfp.sbm{data = f, inputs = X, outputs = Y, bad_outputs = B} end,
    "bad output 'emissions', id U05, year 2001 (row 5): non-positive value -1")
  check.truthy(err:find("tfp.sbm", 1, true), err)
  check.errors(function() tfp.malmquist{data = f, inputs = X, outputs = Y, bad_outputs = B, index = "gml"} end,
    "id U05, year 2001 (row 5)")
end)

check.done()
