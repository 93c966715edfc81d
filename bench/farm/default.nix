# Derivations for bench/farm.sh: `shape = "noop"` gives `count` independent jobs that each write one
# line; `shape = "chain"` gives one job at the top of a chain of `depth` derivations, each depending on
# the one before. No nixpkgs: the builder is /bin/sh. `salt` makes every round build for real.
{ salt, shape ? "noop", count ? "1000", depth ? "200", system ? builtins.currentSystem }:

let
  step = name: script: derivation {
    inherit name system;
    builder = "/bin/sh";
    args = [ "-c" script ];
  };

  noop = builtins.listToAttrs (builtins.genList
    (i: {
      name = "noop${toString i}";
      value = step "noop-${toString i}" "echo ${salt}-${toString i} > $out";
    })
    (builtins.fromJSON count));

  link = n:
    if n == 0
    then step "chain-0" "echo ${salt} > $out"
    else step "chain-${toString n}" "echo ${link (n - 1)} > $out";
in
if shape == "chain" then { chain = link (builtins.fromJSON depth - 1); } else noop
