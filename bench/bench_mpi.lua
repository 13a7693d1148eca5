-- bench_mpi.lua WHAT [n] — one heavy primitive, for bench/bench_mpi.sh to
-- time alone and under mpirun: WHAT = crs | vrs (DEA, input, 2 inputs /
-- 1 output, n synthetic units, default 20,000), malmquist (the embedded
-- panel, 261 x 15, its global reference too), boot (the DEA bootstrap of
-- one year of the panel, 261 cities, VRS input, 100 replications) or sbm
-- (on the panel's 3,915 city-years pooled, non-oriented: SBM, CRS and VRS,
-- with the bad output so2, and the VRS super-SBM without it).
local what, n = arg[1] or "crs", tonumber(arg[2]) or 20000
if what == "malmquist" then
  local c = tfp.data("cities")
  for _, ref in ipairs{"contemporaneous", "global"} do
    tfp.malmquist{data = c, id = "city", time = "year", inputs = {"emp_total", "inv"}, outputs = {"gdp"},
                  reference = ref}
  end
  return
elseif what == "boot" then
  tfp.dea{data = tfp.data("cities"):where{year = 2010}, inputs = {"emp_total", "inv"}, outputs = {"gdp"},
          rts = "vrs", bootstrap = {reps = 100, seed = 1}}
  return
elseif what == "sbm" then
  local c = tfp.data("cities")
  for _, rts in ipairs{"crs", "vrs"} do
    tfp.sbm{data = c, inputs = {"emp_total", "inv"}, outputs = {"gdp"}, bad_outputs = {"so2"}, rts = rts}
  end
  tfp.sbm{data = c, inputs = {"emp_total", "inv"}, outputs = {"gdp"}, rts = "vrs", super = true}
  return
end
local seed = 12345
local function unif()
  seed = (seed * 1103515245 + 12345) % 2147483648
  return (seed + 0.5) / 2147483648
end
local x1, x2, y = {}, {}, {}
for i = 1, n do
  x1[i] = 1 + 9 * unif(); x2[i] = 1 + 9 * unif()
  y[i] = (x1[i] ^ 0.4 * x2[i] ^ 0.5) * math.exp(-0.3 * unif())
end
local f = tfp.frame{x1 = x1, x2 = x2, y = y}
tfp.dea{data = f, inputs = {"x1", "x2"}, outputs = {"y"}, rts = what}
