-- models/paper.lua — the study's specifications as data: equations (2)-(4)
-- of the paper (TFP, TE, EC on producer-service agglomeration and controls,
-- city and year fixed effects, SAGG instrumented by its 1st and 2nd lags),
-- the three agglomeration measures, the regional split and the tables.
-- Swap a control here (or at the prompt with m:update) and rerun.
local M = {}

-- Control set, used in formulas as ..controls (tfp.controls).
M.controls = {controls = "STR + GOV + PGDP + FDI + H + ROAD + POP"}

-- Agglomeration (location quotients of producer-service employment).
M.sagg = {
  {var = "SAGG", label = "Total sample"},
  {var = "SAGG_H", label = "High-end"},
  {var = "SAGG_L", label = "Low-end"},
}

-- Dependent variables: levels of the Malmquist indexes, first year = 1.
M.depvars = {TFP = "equation (2)", TE = "equation (3)", EC = "equation (4)"}

M.regions = {"East", "Central", "West"}
M.fe = "city + year"
M.vce = "robust"   -- the paper: xtivreg2 ..., fe robust

--- Equations (2)-(4): dep on SAGG and the controls, SAGG endogenous.
function M.formula(dep, sagg)
  return string.format("%s ~ ..controls | %s | %s ~ L1.%s + L2.%s", dep, M.fe, sagg, sagg, sagg)
end

-- The published tables: columns are (method, dependent variable, SAGG, sample).
M.tables = {
  {name = "table1", title = "Table 1. 2SLS and IV-GMM estimates, national sample",
   groups = {{"2SLS", 3}, {"IV-GMM", 3}},
   columns = {
     {method = "2sls", dep = "TFP", sagg = 1}, {method = "2sls", dep = "TFP", sagg = 2},
     {method = "2sls", dep = "TFP", sagg = 3},
     {method = "gmm", dep = "TFP", sagg = 1}, {method = "gmm", dep = "TFP", sagg = 2},
     {method = "gmm", dep = "TFP", sagg = 3}}},
  {name = "table2", title = "Table 2. IV-GMM estimates by region",
   groups = {{"East", 2}, {"Central", 2}, {"West", 2}},
   columns = {
     {method = "gmm", dep = "TFP", sagg = 2, region = "East"}, {method = "gmm", dep = "TFP", sagg = 3, region = "East"},
     {method = "gmm", dep = "TFP", sagg = 2, region = "Central"},
     {method = "gmm", dep = "TFP", sagg = 3, region = "Central"},
     {method = "gmm", dep = "TFP", sagg = 2, region = "West"}, {method = "gmm", dep = "TFP", sagg = 3, region = "West"}}},
  {name = "table3", title = "Table 3. Path analysis: technical change (TE) and efficiency change (EC), IV-GMM",
   groups = {{"TE", 3}, {"EC", 3}},
   columns = {
     {method = "gmm", dep = "TE", sagg = 1}, {method = "gmm", dep = "TE", sagg = 2}, {method = "gmm", dep = "TE", sagg = 3},
     {method = "gmm", dep = "EC", sagg = 1}, {method = "gmm", dep = "EC", sagg = 2}, {method = "gmm", dep = "EC", sagg = 3}}},
}

-- Rows as the paper prints them: every SAGG variant on the SAGG row.
M.rows = {"SAGG.*", "STR", "GOV", "PGDP", "FDI", "H", "ROAD", "POP"}
M.rename = {SAGG_H = "SAGG", SAGG_L = "SAGG"}
-- First stages: the lags of every SAGG variant on the rows of SAGG's lags.
M.rename_first = {["L.SAGG_H"] = "L.SAGG", ["L2.SAGG_H"] = "L2.SAGG",
                  ["L.SAGG_L"] = "L.SAGG", ["L2.SAGG_L"] = "L2.SAGG"}

return M
