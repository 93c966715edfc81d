# hydra-builder: a worker that claims steps from hydra-server, builds them with Nix and pushes the
# outputs to the server's binary cache. Run one per machine (or per architecture).
# Build from the repository root: docker build -f docker/builder.Dockerfile .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish Hydra.Builder/Hydra.Builder.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
# Nix runs as root against the container's own store (/nix, a volume in docker-compose.yml):
# no daemon, no substituters from the internet, no sandbox, no build users.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      nix-bin git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /etc/nix \
 && printf '%s\n' 'experimental-features = nix-command' 'substituters =' 'sandbox = false' \
      'build-users-group =' >/etc/nix/nix.conf

ENV NIX_REMOTE=local \
    DOTNET_CLI_TELEMETRY_OPTOUT=1

WORKDIR /app
COPY --from=build /app .
VOLUME ["/var/lib/hydra-builder", "/nix"]
# Flags come from the command (see docker-compose.yml); the token from --token-file or
# HYDRA_BUILDER_TOKEN.
ENTRYPOINT ["dotnet", "/app/hydra-builder.dll"]
