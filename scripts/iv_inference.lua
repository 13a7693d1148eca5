-- scripts/iv_inference.lua — the referees' questions on the paper's equation (2)
-- (TFP on SAGG and the controls, city and year fixed effects, SAGG instrumented
-- by its 1st and 2nd lags; models/paper.lua), in one table: SAGG's 2SLS and
-- LIML estimates with standard errors robust to heteroskedasticity, to
-- clustering by city, to two-way clustering by city and year, and to
-- cross-sectional and serial correlation (Driscoll-Kraay), each with the 95%
-- Anderson-Rubin set for SAGG (weak-instrument-robust, under the same VCE)
-- and the Montiel Olea-Pflueger effective F with its critical value for a
-- 10% worst-case bias.
--
--   tfpkit scripts/iv_inference.lua [--out DIR] [--bw N|auto]
--
-- Writes DIR/iv_inference.{txt,md,tex,csv,html,rtf} (DIR defaults to out).
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local spec = dofile(here .. "/../models/paper.lua")
local study = require "tfp.study"

local cli = require "tfp.cli"
local opts = cli.parse(arg, "iv_inference.lua", {values = {"out", "bw"}, defaults = {out = "out", bw = 2},
  expected = "--out DIR, --bw N|auto"})
opts.bw = opts.bw == "auto" and "auto" or tonumber(opts.bw) or cli.usage("iv_inference.lua", "--bw needs a number or auto")

local f = study.build(tfp.data("cities"), nil, "embedded data", {})
tfp.controls(spec.controls)
local formula = spec.formula("TFP", "SAGG")

-- The VCEs side by side; Driscoll-Kraay's bandwidth is --bw (default 2 years,
-- floor(4 (T/100)^(2/9)) for the 13 years of the estimation sample).
local vces = {
  {label = "Robust", vce = "robust"},
  {label = "Cluster (city)", vce = {cluster = "city"}},
  {label = "Two-way (city, year)", vce = {cluster = {"city", "year"}}},
  {label = "Driscoll-Kraay", vce = {dkraay = opts.bw}},
}

local methods = {{"2sls", "2SLS"}, {"liml", "LIML"}}

local models, labels, groups = {}, {}, {}
for _, m in ipairs(methods) do
  for _, v in ipairs(vces) do
    models[#models + 1] = tfp.ivreg(f, formula, {method = m[1], vce = v.vce})
    labels[#labels + 1] = v.label
  end
  groups[#groups + 1] = {m[2], #vces}
end

local notes = {
  "Equation (2): TFP on SAGG and the controls, city and year fixed effects; SAGG instrumented by L.SAGG and L2.SAGG.",
  string.format("Driscoll-Kraay: Bartlett kernel, bandwidth %s. Anderson-Rubin set: {b : AR F-test p > 0.05} "
    .. "under the column's VCE.", opts.bw == "auto" and string.format("%g years (Newey-West 1994, automatic)",
    models[#vces].bw) or string.format("%g years", opts.bw)),
  "Effective F: Montiel Olea & Pflueger (2013); critical value for a 10% worst-case 2SLS bias at 5%.",
}
notes[#notes + 1] = "LIML: the same VCEs on the LIML residuals; no effective-F critical value (the one above is 2SLS's)."

local tab = tfp.table(models, {
  title = "SAGG in equation (2): estimates and weak-instrument-robust inference under four VCEs",
  labels = labels, groups = groups, keep = {"SAGG"}, stat = "se", digits = 4,
  stats = {"ar_set", "eff_f", "eff_f_cv", "kp_f", "N", "N_clust"},
  notes = notes, size = "footnotesize", landscape = true,
})
print(tab)
local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
if not os.execute("mkdir -p -- " .. shell_quote(opts.out)) then
  tfp._raise("io", "iv_inference.lua", "cannot create the output directory '" .. opts.out .. "'")
end
for _, ext in ipairs({"txt", "md", "tex", "csv", "html", "rtf"}) do tab:write(opts.out .. "/iv_inference." .. ext) end
_G.models, _G.tab = models, tab
