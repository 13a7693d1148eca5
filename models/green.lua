-- models/green.lua — green TFP: equation (2) of the paper with the GML
-- index of green total factor productivity as the dependent variable
-- (scripts/green.lua). Inputs K and L, the good output real GDP Y (as in
-- models/paper.lua) and one bad output, weakly disposable; the global
-- Malmquist-Luenberger index (Oh 2010) chained into levels (first year = 1):
-- GTFP = product of gml, GEC = of ec (efficiency change), GBPC = of bpc
-- (best-practice gap change).
local M = {}

-- The bad output's column in the data: industrial SO2 emissions, tonnes
-- (the embedded panel's so2, data/README.md; --bad COLUMN names another).
M.bad_output = "so2"

M.index = "gml"     -- or "ml", "luenberger" (levels are then sums)
M.rts = "crs"

M.controls = {controls = "STR + GOV + PGDP + FDI + H + ROAD + POP"}
M.regions = {"East", "Central", "West"}
M.fe = "city + year"
M.vce = "robust"
M.method = "gmm"

function M.formula(dep, sagg)
  return string.format("%s ~ ..controls | %s | %s ~ L1.%s + L2.%s", dep, M.fe, sagg, sagg, sagg)
end

-- Table G1: national (three agglomeration measures) and by region (SAGG).
M.table = {
  name = "green_table1",
  title = "Table G1. Producer-service agglomeration and green TFP (GML), IV-GMM",
  groups = {{"National", 3}, {"By region", 3}},
  columns = {
    {dep = "GTFP", sagg = "SAGG", label = "Total"}, {dep = "GTFP", sagg = "SAGG_H", label = "High-end"},
    {dep = "GTFP", sagg = "SAGG_L", label = "Low-end"},
    {dep = "GTFP", sagg = "SAGG", region = "East", label = "East"},
    {dep = "GTFP", sagg = "SAGG", region = "Central", label = "Central"},
    {dep = "GTFP", sagg = "SAGG", region = "West", label = "West"},
  },
}
M.rows = {"SAGG.*", "STR", "GOV", "PGDP", "FDI", "H", "ROAD", "POP"}
M.rename = {SAGG_H = "SAGG", SAGG_L = "SAGG"}

return M
