-- Specification curves (m:curve, tfp.curvesummary, tfp.curveplot): each
-- specification is the model fitted alone, on any number of threads; the
-- summary is computed from the rows; misuse names the culprit.
local check = dofile("lua/check.lua")
local study = require "tfp.study"

local f = study.build(tfp.data("cities"), nil, "embedded data", {})
local CONTROLS = {"STR", "GOV", "PGDP", "FDI", "H", "ROAD", "POP"}
local FE_IV = " | city + year | %s ~ L1.%s + L2.%s"
local model = tfp.model("TFP ~ STR + GOV + PGDP + FDI + H + ROAD + POP" .. FE_IV:format("SAGG", "SAGG", "SAGG"),
                        {method = "gmm", vce = "robust"})
local curve, summary = model:curve{data = f, by = {SAGG = {"SAGG", "SAGG_H", "SAGG_L"}, fsplit = "region"}}

check.test("a curve has one row per control set, variant and sample", function()
  check.eq(curve:nrow(), 128 * 3 * 4)
  check.eq(curve.sample[1], "Full")
  check.eq(curve.sample[128 * 3 + 1], "East")
  check.eq(curve.SAGG[129], "SAGG_H")
  check.eq(curve.term[129], "SAGG_H")
  check.eq(curve.n_controls[1], 0)
  check.eq(curve.n_controls[128], 7)
  for _, c in ipairs(CONTROLS) do check.eq(curve:label(c), "control") end
  check.eq(curve:label("SAGG"), "choice")
  check.eq(summary.sets, 128)
  check.eq(summary.sampled, false)
end)

-- The formula tfp.ivreg fits for row i of the curve.
local function formula_of(cv, i)
  local used = {}
  for _, c in ipairs(CONTROLS) do if cv[c][i] == 1 then used[#used + 1] = c end end
  local s = cv.SAGG[i]
  return "TFP ~ " .. (#used > 0 and table.concat(used, " + ") or "0") .. FE_IV:format(s, s, s)
end

check.test("every specification equals the model fitted alone with tfp.ivreg (a sample, 1e-12)", function()
  local n = 0
  for i = 1, curve:nrow(), 37 do
    local sample = curve.sample[i]
    local data = sample == "Full" and f or f:where{region = sample}
    local r = tfp.ivreg(data, formula_of(curve, i), {method = "gmm", vce = "robust"})
    local s = curve.term[i]
    local what = "row " .. i .. " (" .. formula_of(curve, i) .. ", " .. sample .. ")"
    check.near(curve.estimate[i], r.coef[s], 1e-12, what .. " estimate")
    check.near(curve.se[i], r.se[s], 1e-12, what .. " se")
    check.near(curve.p[i], r.p[s], 1e-12, what .. " p")
    check.eq(curve.N[i], r.N, what .. " N")
    check.near(curve.kp_f[i], r.kp_f, 1e-12, what .. " KP F")
    check.near(curve.cd_f[i], r.cd_f, 1e-12, what .. " CD F")
    check.near(curve.hansen_j[i], r.hansen_j, 1e-12, what .. " Hansen J")
    check.near(curve.hansen_j_p[i], r.hansen_j_p, 1e-12, what .. " Hansen J p")
    check.near(curve.endog[i], r.endog, 1e-12, what .. " endog")
    check.near(curve.lower[i], r.coef[s] - 1.959963984540054 * r.se[s], 1e-12, what .. " lower")
    check.eq(curve.status[i], "ok")
    n = n + 1
  end
  check.eq(n, 42)
end)

check.test("LIML, Fuller, k-class and weights fit as tfp.ivreg fits them", function()
  local w = f:copy()
  local wt = {}
  for i, c in ipairs(w.city:totable()) do wt[i] = c % 5 + 1 end   -- whole numbers, constant within a city
  w.wt = wt
  for _, opts in ipairs({{method = "liml", vce = "robust"}, {method = "fuller", fuller = 4},
                         {method = "kclass", k = 0.5, coviv = true}, {method = "gmm", weights = "wt", vce = "robust"},
                         {method = "2sls", weights = "wt", wtype = "fweight"}}) do
    local what = opts.method .. (opts.weights and " weighted" or "")
    local m = tfp.model("TFP ~ STR + GOV" .. FE_IV:format("SAGG_H", "SAGG_H", "SAGG_H"), opts)
    local cv = m:curve{data = w}
    local r = tfp.ivreg(w, "TFP ~ GOV" .. FE_IV:format("SAGG_H", "SAGG_H", "SAGG_H"), opts)
    check.eq(cv.GOV[3], 1, what)
    check.eq(cv.STR[3], 0, what)
    check.near(cv.estimate[3], r.coef.SAGG_H, 1e-12, what .. " estimate")
    check.near(cv.se[3], r.se.SAGG_H, 1e-12, what .. " se")
    check.near(cv.hansen_j[3], r.hansen_j, 1e-12, what .. " J")
    check.eq(cv.N[3], r.N, what .. " N")
  end
end)

check.test("results are the same, bit for bit, on one thread and on three", function()
  local m = tfp.model("TFP ~ STR + GOV + FDI + POP" .. FE_IV:format("SAGG_H", "SAGG_H", "SAGG_H"), {method = "gmm"})
  local one = m:curve{data = f, threads = 1, by = {split = "region"}}
  local three = m:curve{data = f, threads = 3, by = {split = "region"}}
  check.eq(one:nrow(), 16 * 3)
  for _, col in ipairs({"estimate", "se", "kp_f", "hansen_j", "endog", "r2"}) do
    local a, b = one[col], three[col]
    for i = 1, one:nrow() do check.eq(string.format("%a", a[i]), string.format("%a", b[i]), col .. " row " .. i) end
  end
end)

check.test("a bad control name is an error naming it (with a suggestion)", function()
  local e = check.errors(function() local cv = model:curve{data = f, controls = {"STR", "GOVV"}}; return cv end,
    "m:curve: control 'GOVV': no variable 'GOVV' in the data (did you mean 'GOV'?)")
  check.truthy(e:find("test_curve.lua:%d+:"), "located at the caller's line: " .. e)
  check.errors(function() return model:curve{data = f, controls = {"log(PGPD)"}} end,
    "control 'log(PGPD)': no variable 'PGPD'")
  check.errors(function() return model:curve{data = f, controls = {"STR +"}} end,
    "controls: 'STR +' is not a formula term")
  check.errors(function() return model:curve{data = f, controls = {"STR", "STR"}} end,
    "control 'STR' is listed twice")
  check.errors(function() return model:curve{data = f, always = "POP", controls = {"STR", "POP"}} end,
    "control 'POP' is also in always")
  check.errors(function() return model:curve{data = f, controls = {"SAGG"}} end,
    "'SAGG' is an endogenous regressor of the model, not a control")
end)

check.test("by, keep and the model are checked, naming the culprit", function()
  check.errors(function() return model:curve{data = f, by = {SAGX = {"SAGG_H"}}} end,
    "by: 'SAGX' is no variable of the model")
  check.errors(function() return model:curve{data = f, by = {SAGG = {"SAGG_X"}}} end,
    "by: SAGG = 'SAGG_X': no variable 'SAGG_X' in the data")
  check.errors(function() return model:curve{data = f, by = {split = "regoin"}} end,
    "split: no variable 'regoin' (did you mean 'region'?)")
  check.errors(function() return model:curve{data = f, by = {split = "region", fsplit = "region"}} end,
    "takes split or fsplit, not both")
  check.errors(function() return model:curve{data = f, keep = "STR"} end,
    "keep: 'STR' is neither an endogenous regressor nor an always term")
  check.errors(function() return tfp.model("TFP ~ sw(STR, GOV) | city"):curve{data = f} end,
    "2 right-hand sides")
  check.errors(function() return model.curve({}, {data = f}) end, "call it as m:curve{...} on a model")
end)

check.test("an always term stays in every specification and may be the kept one", function()
  local m = tfp.model("TFP ~ SAGG + STR + GOV + POP | city + year")
  local cv = m:curve{data = f, always = "SAGG", keep = "SAGG"}
  check.eq(cv:nrow(), 8)
  local r = tfp.ivreg(f, "TFP ~ SAGG + GOV | city + year")
  check.eq(cv.GOV[3], 1)
  check.near(cv.estimate[3], r.coef.SAGG, 1e-12, "SAGG + GOV")
  check.eq(cv.kp_f[3], nil, "no IV: no KP F")
end)

check.test("with more subsets than max_sets, a seeded sample with the empty and full sets", function()
  local m = tfp.model("TFP ~ STR + GOV + PGDP + FDI + H + ROAD + POP | city + year")
  local a, s = m:curve{data = f, keep = "STR", always = "STR", controls = {"GOV", "PGDP", "FDI", "H", "ROAD", "POP"},
                       max_sets = 10, seed = 7}
  local b = m:curve{data = f, keep = "STR", always = "STR", controls = {"GOV", "PGDP", "FDI", "H", "ROAD", "POP"},
                    max_sets = 10, seed = 7}
  check.eq(a:nrow(), 10)
  check.truthy(s.sampled and s.total_sets == 64 and s.seed == 7, "the summary states the sample")
  check.truthy(tostring(s):find("a seeded sample of the 64 subsets of 6 controls, seed 7", 1, true), tostring(s))
  check.eq(a.n_controls[1], 0)
  check.eq(a.n_controls[10], 6)
  local seen = {}
  for i = 1, 10 do
    check.eq(a.estimate[i], b.estimate[i], "the same sample for the same seed")
    local key = {}
    for _, c in ipairs({"GOV", "PGDP", "FDI", "H", "ROAD", "POP"}) do key[#key + 1] = a[c][i] end
    key = table.concat(key)
    check.truthy(not seen[key], "no set twice")
    seen[key] = true
  end
end)

check.test("the summary's shares, median and control effects come from the rows", function()
  local east = curve:where{sample = "East", SAGG = "SAGG_L"}
  local s = tfp.curvesummary(east)
  check.eq(#s.groups, 1)
  local g = s.groups[1]
  local pos, est, with, without = 0, {}, {0, 0}, {0, 0}
  for i = 1, east:nrow() do
    if east.lower[i] > 0 then pos = pos + 1 end
    est[#est + 1] = east.estimate[i]
    local acc = east.POP[i] == 1 and with or without
    acc[1], acc[2] = acc[1] + east.estimate[i], acc[2] + 1
  end
  table.sort(est)
  check.near(g.share_pos, pos / 128, 1e-15)
  check.near(g.median, (est[64] + est[65]) / 2, 1e-15)
  check.near(s.table.d_POP[1], with[1] / with[2] - without[1] / without[2], 1e-12)
  check.eq(s.table.n[1], 128)
  check.eq(#summary.groups, 12)
  check.truthy(tostring(summary):find("East     SAGG_L", 1, true), tostring(summary))
  check.errors(function() return tfp.curvesummary(f) end, "no column 'estimate': not a curve from m:curve")
end)

-- A panel where the instrument is weak in one group, and a group without observations.
local function weak_panel()
  local cols = {unit = {}, t = {}, g = {}, y = {}, x = {}, z = {}, w = {}}
  local seed = 12345
  local function u()
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648 - 0.5
  end
  for i = 1, 90 do
    for t = 1, 4 do
      local g = i <= 40 and "strong" or i <= 88 and "weak" or "tiny"
      local z = u()
      local x = (g == "weak" and 0.02 or 1) * z + u()
      local n = #cols.unit + 1
      cols.unit[n], cols.t[n], cols.g[n], cols.z[n], cols.x[n], cols.w[n] = i, t, g, z, x, u()
      cols.y[n] = g ~= "tiny" and 0.5 * x + cols.w[n] + u() or 0 / 0   -- tiny: no observation
    end
  end
  return tfp.frame{{"unit", cols.unit}, {"t", cols.t}, {"g", cols.g}, {"y", cols.y}, {"x", cols.x},
                   {"z", cols.z}, {"w", cols.w}}
end

check.test("a sample that cannot be fitted is a row with status data, not an error", function()
  local p = weak_panel()
  local cv, s = tfp.model("y ~ w | unit | x ~ z", {vce = "robust"}):curve{data = p, by = {split = "g"}}
  check.eq(cv:nrow(), 6)
  local tiny = cv:where{sample = "tiny"}
  check.eq(tiny.status[1], "data")
  check.truthy(#tiny.message[1] > 0, "the fit's message is kept")
  check.eq(tiny.estimate[1], nil)
  check.truthy(tostring(s):find("(2 failed)", 1, true), tostring(s))
end)

check.test("curveplot draws PNG and SVG and marks specifications with weak instruments", function()
  local p = weak_panel()
  local cv = tfp.model("y ~ w | unit | x ~ z", {vce = "robust"}):curve{data = p, by = {fsplit = "g"}}
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir '" .. dir .. "'"))
  local paths = tfp.curveplot(cv, {out = dir .. "/c", title = "it's a curve", labels = {w = "the control w"}})
  check.eq(#paths, 4)
  local gp = assert(io.open(dir .. "/c.gp")):read("a")
  local weak = gp:match("%$weak << EOD\n(.-)\nEOD")
  check.truthy(weak and not weak:find("NaN"), "weak specifications listed: " .. tostring(weak))
  local kp = cv.kp_f
  local n_weak = 0
  for i = 1, cv:nrow() do if kp[i] ~= nil and kp[i] < 10 then n_weak = n_weak + 1 end end
  check.eq(select(2, weak:gsub("\n", "")) + 1, n_weak)
  check.truthy(gp:find("'it''s a curve'", 1, true), "the title quoted for gnuplot")
  check.truthy(gp:find("'the control w' ", 1, true), "a control's label")
  check.truthy(gp:find("'sample = weak'", 1, true), "a varying choice has rows")
  local png = assert(io.open(dir .. "/c.png", "rb")):read(8)
  check.eq(png, "\137PNG\r\n\26\n")
  check.errors(function() return tfp.curveplot(cv, {out = dir .. "/d", title = "a\nb"}) end, "control character")
  check.errors(function() return tfp.curveplot(cv, {out = dir .. "/d", labels = {w = 1}}) end, "option 'labels'")
  os.execute("rm -rf '" .. dir .. "'")
end)

check.test("a model field the curve's C reader does not know is refused, not ignored", function()
  local y = tfp.vector{1, 2, 3, 4, 5}
  local cell = {y = y, exog = {y * 2}, exog_names = {"x"}, vce = "robust"}
  local function job(extra)
    local c = {}
    for k, v in pairs(cell) do c[k] = v end
    for k, v in pairs(extra) do c[k] = v end
    return {cells = {c}, fits = {{1, 1}}, keep = {"x"}}
  end
  check.eq(tfp._ivcurve(job{}).status[1], "ok")
  check.errors(function() return tfp._ivcurve(job{kernel = "bartlett"}) end, "curves do not fit models with 'kernel' yet")
  check.errors(function() return tfp._ivcurve(job{vce = "hac"}) end, "curves do not fit models with vce = 'hac' yet")
  check.errors(function() return tfp._ivcurve(job{method = "lim"}) end, "with method = 'lim' yet")
end)

check.done()
