-- dea_malmquist.lua OUT — DEA (CRS and VRS, both orientations, with a
-- reference set and scale efficiency) and the Malmquist index (with its
-- global reference) on the embedded panel, every number written with 17
-- digits to OUT.cold (LPs solved from scratch: warm_start = false) and
-- OUT.warm (the default warm start). Rank 0 writes; under mpirun every rank
-- computes its share and holds all results. tests/sh/test_mpi.sh compares
-- one process with mpirun -np 2.
local out = assert(arg[1], "usage: dea_malmquist.lua OUT")
local f = tfp.data("cities")
local ins, outs = {"emp_total", "inv"}, {"gdp"}
local early = f:where{year = {2003, 2004, 2005, 2006, 2007, 2008}}

local function run(warm)
  local lines = {}
  local function put(name, v)
    for i = 1, #v do
      local x = v[i]
      lines[#lines + 1] = string.format("%s %d %s", name, i, x == nil and "nan" or string.format("%.17g", x))
    end
  end
  for _, rts in ipairs{"crs", "vrs"} do
    for _, orient in ipairs{"input", "output"} do
      local te, info = tfp.dea{data = f, inputs = ins, outputs = outs, rts = rts, orientation = orient,
                               warm_start = warm}
      put(rts .. "_" .. orient, te)
      lines[#lines + 1] = string.format("n_infeasible %s %s %d", rts, orient, info.n_infeasible)
    end
  end
  put("reference", tfp.dea{data = f, reference = early, inputs = ins, outputs = outs, warm_start = warm})
  local _, sinfo = tfp.dea{data = f, inputs = ins, outputs = outs, scale = true, warm_start = warm}
  put("scale", sinfo.scale)
  for _, ref in ipairs{"contemporaneous", "global"} do
    local mq, s = tfp.malmquist{data = f, id = "city", time = "year", inputs = ins, outputs = outs,
                                reference = ref, warm_start = warm}
    for _, c in ipairs{"effch", "techch", "pech", "sech", "tfpch", "TFP", "vrs_te"} do put(ref .. "_" .. c, mq[c]) end
    lines[#lines + 1] = string.format("mean %s %.17g", ref, s.mean.tfpch)
  end
  if tfp.mpi.rank() == 0 then
    local fh = assert(io.open(out .. (warm and ".warm" or ".cold"), "w"))
    fh:write(table.concat(lines, "\n"), "\n")
    fh:close()
  end
end
run(false)
run(true)
print("ranks " .. tfp.mpi.size())
