using Webhooks.Console;

var builder = WebApplication.CreateBuilder(args);
builder.AddConsole();

var app = builder.Build();
app.MapConsole();
app.Run();
