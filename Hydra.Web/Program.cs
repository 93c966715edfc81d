using Hydra.Web;

return await HydraServer.RunAsync(args);
public partial class Program;
