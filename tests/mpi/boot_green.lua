-- boot_green.lua OUT — the bootstraps (DEA, Simar-Wilson 1998; Malmquist,
-- 1999), SBM (with a bad output; super-SBM with slacks), DDF (own and
-- another technology), the directional indexes (ml, gml, luenberger) and
-- the directional metafrontier on part of the embedded panel, every number
-- written with 17 digits: the bootstraps to OUT.boot, the rest to
-- OUT.green. Rank 0 writes; under mpirun every rank computes its share and
-- holds all results. tests/sh/test_mpi.sh compares one process with
-- mpirun -np 2.
local out = assert(arg[1], "usage: boot_green.lua OUT")
local all = tfp.data("cities")
local ins, outs, bad = {"emp_total", "inv"}, {"gdp"}, {"so2"}
local keep = {}
for i = 1, all:nrow() do
  local ok = true
  for _, c in ipairs{"emp_total", "inv", "gdp", "so2"} do
    local v = all[c][i]
    ok = ok and v ~= nil and v > 0
  end
  keep[i] = ok and all.year[i] >= 2005 and all.year[i] <= 2008 and 1 or 0
end
local f = all:filter(tfp.vector(keep, all:nrow()))

local function writer()
  local lines = {}
  local w = {}
  function w.put(name, v)
    for i = 1, #v do
      local x = v[i]
      lines[#lines + 1] = string.format("%s %d %s", name, i, x == nil and "nan" or string.format("%.17g", x))
    end
  end
  function w.line(fmt, ...) lines[#lines + 1] = string.format(fmt, ...) end
  function w.save(path)
    if tfp.mpi.rank() ~= 0 then return end
    local fh = assert(io.open(path, "w"))
    fh:write(table.concat(lines, "\n"), "\n")
    fh:close()
  end
  return w
end

-- the bootstraps
local b = writer()
local y08 = f:where{year = 2008}
for _, orient in ipairs{"input", "output"} do
  local r, info = tfp.dea{data = y08, inputs = ins, outputs = outs, orientation = orient, rts = "vrs",
                          bootstrap = {reps = 40, seed = 11}}
  for _, c in ipairs{"eff", "eff_bc", "bias", "lower", "upper", "var"} do b.put(orient .. "_" .. c, r[c]) end
  b.line("%s n_lp %d bandwidth %.17g", orient, info.n_lp, info.bandwidth)
end
local mq, s = tfp.malmquist{data = f:where{year = {2006, 2007, 2008}}, id = "city", time = "year", inputs = ins,
                            outputs = outs, bootstrap = {reps = 20, seed = 5}}
for _, c in ipairs{"effch", "techch", "pech", "sech", "tfpch"} do
  for _, k in ipairs{"", "_bc", "_lower", "_upper"} do b.put("mq_" .. c .. k, mq[c .. k]) end
end
b.line("mq n_lp %d", s.bootstrap.n_lp)
b.save(out .. ".boot")

-- the green models
local g = writer()
local y07 = f:where{year = 2007}
for _, rts in ipairs{"crs", "vrs"} do
  local rho, info = tfp.sbm{data = y08, inputs = ins, outputs = outs, bad_outputs = bad, rts = rts}
  g.put("sbm_" .. rts, rho)
  g.line("sbm %s n_lp %d n_infeasible %d", rts, info.n_lp, info.n_infeasible)
end
local score, si = tfp.sbm{data = y08, inputs = ins, outputs = outs, rts = "vrs", super = true, slacks = true}
g.put("super_score", score)
g.put("super_sbm", si.sbm)
for _, c in ipairs(si.slacks:names()) do g.put("super_" .. c, si.slacks[c]) end
g.line("super n_lp %d super_infeasible %d", si.n_lp, si.super_infeasible)
for _, rts in ipairs{"crs", "vrs"} do
  local beta, info = tfp.ddf{data = y08, inputs = ins, outputs = outs, bad_outputs = bad, rts = rts}
  g.put("ddf_" .. rts, beta)
  g.line("ddf %s n_lp %d n_infeasible %d", rts, info.n_lp, info.n_infeasible)
  g.put("ddf_ref_" .. rts, tfp.ddf{data = y08, reference = y07, inputs = ins, outputs = outs, bad_outputs = bad,
                                   rts = rts})
end
for _, index in ipairs{"ml", "gml", "luenberger"} do
  local ml, mi = tfp.malmquist{data = f, id = "city", time = "year", inputs = ins, outputs = outs, bad_outputs = bad,
                               index = index}
  for _, c in ipairs(ml:names()) do
    if c ~= "city" and c ~= "year" then g.put(index .. "_" .. c, ml[c]) end
  end
  g.line("%s n_lp %d n_infeasible %d", index, mi.n_lp, mi.n_infeasible)
end
local meta, mi = tfp.ddf{data = y08, inputs = ins, outputs = outs, bad_outputs = bad, group = "region"}
for _, c in ipairs{"eff_group", "eff_meta", "tgr", "beta_group", "beta_meta"} do g.put("meta_" .. c, meta[c]) end
g.line("meta n_lp %d", mi.n_lp)
g.save(out .. ".green")
io.stderr:write("stderr of the script\n")   -- rank 0's only
print("ranks " .. tfp.mpi.size())
