# The generated form of a declarative project: .jobsets evaluates this file with the inputs
# declInput (this repository) and projectName, and its job `jobsets` writes the project's jobsets.
{ declInput, projectName, ... }:
let
  branches = builtins.fromJSON (builtins.readFile "${declInput}/branches.json");
  jobset = branch: {
    name = branch;
    value = {
      enabled = 1;
      description = "${projectName} ${branch}";
      nixexprinput = "src";
      nixexprpath = "default.nix";
      checkinterval = 300;
      inputs.src = { type = "git"; value = "https://example.org/app.git ${branch}"; emailresponsible = false; };
    };
  };
in
{
  jobsets = derivation {
    name = "jobsets.json";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    PATH = "/bin:/usr/bin";
    spec = builtins.toJSON (builtins.listToAttrs (map jobset branches));
    passAsFile = [ "spec" ];
    args = [ "-c" "cp $specPath $out" ];
  };
}
