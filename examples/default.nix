# An example jobset that needs no nixpkgs: every job is a plain `derivation` whose builder is
# /bin/sh, so it evaluates and builds on any machine with Nix, in well under a second (one job
# sleeps 2 s on purpose, printing progress, to show live logs). See README.md next to this file.
# `salt` changes every derivation without changing what it does; the benchmark uses it to build
# for real each round.
{ system ? builtins.currentSystem, salt ? "" }:

let
  # A job: runs `script` with /bin/sh; the script must create $out. Each attribute of `deps` is
  # another job, passed to the script as an environment variable holding its store path. `meta`
  # sits beside the derivation (as nixpkgs' mkDerivation does), since a derivation's own
  # attributes must be strings.
  job = { name, description, script, deps ? { } }:
    derivation ({
      inherit name system;
      builder = "/bin/sh";
      args = [ "-c" script ];
      PATH = "/bin:/usr/bin";
    } // (if salt == "" then { } else { inherit salt; }) // deps)
    // { meta = { inherit description; }; };

  hello = job {
    name = "hello";
    description = "Writes a greeting file";
    script = ''
      echo "building hello"
      mkdir -p $out
      echo "Hello from Hydra" > $out/hello.txt
    '';
  };

  greeting = job {
    name = "greeting";
    description = "Reads the output of hello and decorates it";
    deps = { inherit hello; };
    script = ''
      echo "building greeting from $hello"
      mkdir -p $out
      echo "*** $(cat $hello/hello.txt) ***" > $out/greeting.txt
    '';
  };

  library = job {
    name = "library";
    description = "A pretend library; the first link of a build chain";
    script = ''
      echo "compiling library"
      mkdir -p $out/lib
      echo "libexample 1.0" > $out/lib/libexample.txt
    '';
  };

  app = job {
    name = "app";
    description = "A pretend application linked against library, bundling hello";
    deps = { inherit library hello; };
    script = ''
      echo "linking app against $library"
      mkdir -p $out/bin
      printf '#!/bin/sh\ncat %s/hello.txt %s/lib/libexample.txt\n' $hello $library > $out/bin/app
      chmod +x $out/bin/app
    '';
  };

  docs = job {
    name = "docs";
    description = "Documentation; takes about 2 s and prints progress, to show live logs";
    script = ''
      for page in 1 2 3 4 5; do
        echo "rendering page $page of 5"
        sleep 0.4
      done
      mkdir -p $out/share/doc
      echo "<h1>Example docs</h1>" > $out/share/doc/index.html
    '';
  };

  broken = job {
    name = "broken";
    description = "Fails on purpose, to show a failed build and its log";
    script = ''
      echo "compiling broken.c"
      echo "broken.c:1:1: error: this job fails on purpose" >&2
      exit 1
    '';
  };

  uses-broken = job {
    name = "uses-broken";
    description = "Depends on broken, so it ends as 'dependency failed'";
    deps = { inherit broken; };
    script = ''
      echo "this never runs: $broken failed"
      mkdir -p $out
    '';
  };
in
{
  inherit hello greeting library app docs broken uses-broken;
}
