-- scripts/curve.lua — the specification curve of equation (2) (see
-- models/paper.lua): TFP on SAGG with every subset of the seven controls
-- (STR GOV PGDP FDI H ROAD POP, 128 sets), for each agglomeration measure
-- (SAGG, SAGG_H, SAGG_L), nationally and by region: 1,536 IV fits with city
-- and year effects, SAGG instrumented by its two lags, robust VCE, in
-- parallel on all cores. Writes to out/:
--   curve_specs.csv      one row per specification (controls as 0/1 columns,
--                        estimate, se, CI, p, N, KP F, Hansen J, ...)
--   curve_summary.csv    by sample and measure: shares significant, median,
--                        and each control's effect (mean with - without)
--   curve_national.png/.svg, curve_east, curve_central, curve_west: the
--                        two-panel pictures (with .gp and .dat)
--
--   tfpkit scripts/curve.lua [--data my.csv --map my_columns.lua] [--na CODES]
--       [--out DIR] [--method gmm|2sls] [--threads N]
local clock = os.clock()
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local spec = dofile(here .. "/../models/paper.lua")
local study = require "tfp.study"

local cli = require "tfp.cli"
local function usage(msg) cli.usage("scripts/curve.lua", msg) end
local opts = cli.parse(arg, "scripts/curve.lua", {
  values = {"data", "map", "out", "na", "method", "threads"}, defaults = {out = "out", method = "gmm"},
  expected = "--data FILE, --map FILE.lua, --out DIR, --na CODES, --method gmm|2sls, --threads N"})
local threads = opts.threads and (math.tointeger(tonumber(opts.threads)) or usage("--threads takes a number"))
local step = cli.stepper(clock)
local map = cli.map(opts, "scripts/curve.lua")
local na = cli.na(opts.na)

local f = cli.read(opts, na)
f = study.build(f, map, opts.data or "embedded data", {na = na})
step(string.format("variables: %d unit-years", f:nrow()))
local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
if not os.execute("mkdir -p -- " .. shell_quote(opts.out)) then
  tfp._raise("io", "curve.lua", string.format("cannot create the output directory '%s'", opts.out))
end

-- Equation (2) with SAGG; by replaces SAGG (and its lags) by each measure.
tfp.controls(spec.controls)
local measures = {}
for k, s in ipairs(spec.sagg) do measures[k] = s.var end
local m = tfp.model(spec.formula("TFP", "SAGG"), {method = opts.method, vce = spec.vce, split_order = spec.regions})
local wall = os.time()
local curve, summary = m:curve{data = f, keep = "SAGG", by = {SAGG = measures, fsplit = "region"}, threads = threads}
step(string.format("%d specifications fitted on %d threads (%d s wall)", curve:nrow(), summary.threads,
  os.time() - wall))
print(summary)
print()
curve:write_csv(opts.out .. "/curve_specs.csv")
summary:write_csv(opts.out .. "/curve_summary.csv")

local method = opts.method == "gmm" and "IV-GMM" or "2SLS"
local function draw(rows, name, where)
  tfp.curveplot(rows, {out = opts.out .. "/curve_" .. name,
    title = string.format("Equation (2), %s: SAGG's coefficient on TFP over %d specifications (%s)", where,
      rows:nrow(), method),
    ylabel = "coefficient of the SAGG measure"})
end
draw(curve:where{sample = "Full"}, "national", "national sample")
local present = {}
for _, r in ipairs(f.region:totable()) do present[r] = true end
for _, r in ipairs(spec.regions) do
  if present[r] then draw(curve:where{sample = r}, r:lower(), r) end
end
step("written to " .. opts.out .. "/curve_specs.csv, curve_summary.csv, curve_national.png (.svg) and by region")

-- tfpkit -i scripts/curve.lua: the frame f, the curve and its summary stay.
_G.f, _G.curve, _G.summary = f, curve, summary
