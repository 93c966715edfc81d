# Evaluates a jobset's expression into one JSON record per job:
#   { drvPath, name, system, outputs = { out = "/nix/store/..."; }, description }
# or { error = "..."; } for a job whose evaluation throws (when catchErrors is true).
# Inputs arrive as JSON: { kind = "path"; path; rev; shortRev; } | { kind = "string"; value; }
#                       | { kind = "boolean"; value; }
{ exprPath, inputsJson, onlyJob ? "", catchErrors ? true, namesOnly ? false }:
let
  specs = builtins.fromJSON inputsJson;

  toArg = spec:
    if spec.kind == "path" then
      { outPath = builtins.path { path = /. + spec.path; name = "source"; };
        inherit (spec) rev shortRev; }
    else spec.value;

  args = builtins.mapAttrs (_: toArg) specs;
  expr = import (/. + exprPath);
  jobs = if builtins.isFunction expr
    then expr (builtins.intersectAttrs (builtins.functionArgs expr) args)
    else expr;

  isDerivation = v: builtins.isAttrs v && (v.type or null) == "derivation";

  describe = v: {
    drvPath = v.drvPath;
    name = v.name or "";
    system = v.system or "unknown";
    outputs = builtins.listToAttrs
      (map (o: { name = o; value = v.${o}.outPath; }) (v.outputs or [ "out" ]));
    description =
      let d = (v.meta or { }).description or null;
      in if builtins.isString d then d else null;
  };

  # tryEval only sees throw/assert; anything it misses fails the whole batch, and the caller
  # then evaluates job by job to keep the other jobs.
  evalJob = v:
    if catchErrors then
      let r = builtins.tryEval (if isDerivation v then (let d = describe v; in builtins.deepSeq d d) else null);
      in if r.success then r.value else { error = "evaluation failed"; }
    else if isDerivation v then describe v
    else null;

  names = if onlyJob == "" then builtins.attrNames jobs else [ onlyJob ];
in
if namesOnly then builtins.attrNames jobs
else builtins.listToAttrs (map (n: { name = n; value = evalJob jobs.${n}; }) names)
