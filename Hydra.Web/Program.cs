using Hydra.Web;

return await HydraServer.RunAsync(args);
