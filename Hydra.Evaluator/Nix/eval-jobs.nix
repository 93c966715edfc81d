# Evaluates a jobset for NixEvaluator. The jobs are the derivations reachable from the root attribute
# set through attribute sets with `recurseForDerivations = true` (every set when forceRecurse, as for
# flakes); a job's name is its attribute path. Paths travel as lists of attribute names, in a JSON file
# (pathsFile), because a shard's list can be longer than one command-line argument may be.
#
# mode = "list": [ { path; error? } ] for every job under the given paths (one cheap walk; `error`
#                when classifying the value threw, which tryEval can catch).
# mode = "node": [ { kind = "job" | "set" | "skip"; names? } ] for each given path.
# mode = "eval": [ record | { error = true; } ] for each given job path, where record is
#                { drvPath, name, system, outputs, meta, aggregate } (see describe below).
# mode = "stream": the same records, one at a time and in order, each as the trace line
#                "trace: <marker> <json>" on stderr as soon as it is evaluated; the result is the count.
#                A caller reads jobs while the process runs, and knows which job a dying process was on.
#
# Inputs arrive as JSON: { kind = "path"; path; rev; shortRev; revCount?; outputs?; }
#                       | { kind = "string"; value; } | { kind = "boolean"; value; }
#                       | { kind = "nix"; value = "<expression>"; }
#                       | { kind = "attrs"; value = { <job> = "/nix/store/..."; }; }
{ exprPath ? "", inputsJson ? "{}", flakeUrl ? "", mode ? "list", pathsFile ? "", catchErrors ? true
, forceRecurse ? false, marker ? "" }:
let
  specs = builtins.fromJSON inputsJson;

  toArg = spec:
    if spec.kind == "path" then
      { outPath = builtins.path { path = /. + spec.path; name = "source"; };
        inherit (spec) rev shortRev;
        revCount = spec.revCount or 0; }
      // (if spec ? outputs then { inherit (spec) outputs; } else { })
    else if spec.kind == "nix" then import (builtins.toFile "input.nix" spec.value)
    else if spec.kind == "attrs" then builtins.mapAttrs (_: builtins.storePath) spec.value
    else spec.value;

  args = builtins.mapAttrs (_: toArg) specs;

  fromExpr =
    let expr = import (/. + exprPath);
    in if builtins.isFunction expr
      then expr (builtins.intersectAttrs (builtins.functionArgs expr) args)
      else expr;

  fromFlake =
    let flake = builtins.getFlake flakeUrl;
    in if flake ? hydraJobs then flake.hydraJobs
      else if flake ? checks then flake.checks
      else throw "hydra: the flake ${flakeUrl} has neither hydraJobs nor checks outputs";

  rootValue = if flakeUrl != "" then fromFlake else fromExpr;
  what = if flakeUrl != "" then "the hydraJobs (or checks) of the flake ${flakeUrl}" else "the Nix expression ${exprPath}";
  root =
    if builtins.isAttrs rootValue then rootValue
    else throw "hydra: ${what} must evaluate to an attribute set of jobs, but it evaluates to a ${builtins.typeOf rootValue}";

  paths = if pathsFile == "" then [ [ ] ] else builtins.fromJSON (builtins.readFile pathsFile);
  at = path: builtins.foldl' (v: n: v.${n}) root path;

  isDerivation = v: builtins.isAttrs v && (v.type or null) == "derivation";
  recurses = v: builtins.isAttrs v && (forceRecurse || (v.recurseForDerivations or false) == true);
  classify = v: if isDerivation v then "job" else if recurses v then "set" else "skip";

  # tryEval only sees throw/assert; anything it misses kills the process and the caller narrows down.
  try = x: if catchErrors then builtins.tryEval x else { success = true; value = x; };

  walk = path: set: builtins.concatMap (n: visit (path ++ [ n ]) set.${n}) (builtins.attrNames set);
  visit = path: v:
    let kind = try (classify v);
    in if !kind.success then [ { inherit path; error = true; } ]
      else if kind.value == "job" then [ { inherit path; } ]
      else if kind.value == "set" then walk path v
      else [ ];
  list = path: if path == [ ] then walk [ ] root else visit path (at path);

  node = path:
    let v = at path; kind = if path == [ ] then "set" else classify v;
    in { inherit kind; } // (if kind == "set" then { names = builtins.attrNames v; } else { });

  scalar = x: if builtins.isString x || builtins.isInt x || builtins.isBool x || builtins.isFloat x then x else null;
  listOf = f: x: if x == null then null else if builtins.isList x then map f x else [ (f x) ];
  license = l:
    if builtins.isAttrs l then { shortName = scalar (l.shortName or null); spdxId = scalar (l.spdxId or null); }
    else scalar l;
  maintainer = m: if builtins.isAttrs m then { email = scalar (m.email or null); } else scalar m;

  # Only the meta fields Hydra stores, reduced to JSON-safe values (meta may hold functions).
  selectMeta = m:
    let get = n: if m ? ${n} then m.${n} else null;
    in {
      description = scalar (get "description");
      license = listOf license (get "license");
      homepage = scalar (get "homepage");
      maintainers = listOf maintainer (get "maintainers");
      schedulingPriority = scalar (get "schedulingPriority");
      timeout = scalar (get "timeout");
      maxSilent = scalar (get "maxSilent");
      isChannel = scalar (get "isChannel");
      isHydraChannel = scalar (get "isHydraChannel");
    };

  constituent = c:
    if builtins.isString c then { name = c; }
    else if isDerivation c then { drvPath = c.drvPath; name = c.name or ""; }
    else throw "hydra: a constituent must be a job name or a derivation, not a ${builtins.typeOf c}";

  describe = v:
    if !isDerivation v then throw "hydra: not a derivation" else {
      drvPath = v.drvPath;
      name = v.name or "";
      system = v.system or "unknown";
      outputs = builtins.listToAttrs
        (map (o: { name = o; value = v.${o}.outPath; }) (v.outputs or [ "out" ]));
      meta = selectMeta (if builtins.isAttrs (v.meta or null) then v.meta else { });
      aggregate =
        if (v._hydraAggregate or false) == true then {
          glob = (v._hydraGlobConstituents or false) == true;
          constituents = map constituent (v.constituents or [ ]);
        } else null;
    };

  evalJob = path:
    let r = try (let d = describe (at path); in builtins.deepSeq d d);
    in if r.success then r.value else { error = true; };
in
if mode == "list" then builtins.concatMap list paths
else if mode == "node" then map node paths
else if mode == "eval" then map evalJob paths
else if mode == "stream" then
  builtins.foldl' (n: path: builtins.seq (builtins.trace "${marker} ${builtins.toJSON (evalJob path)}" null) (n + 1)) 0 paths
else throw "hydra: unknown mode ${mode}"
