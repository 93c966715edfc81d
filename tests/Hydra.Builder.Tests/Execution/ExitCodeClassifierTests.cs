using Hydra.Builder.Execution;
using Hydra.Core.Protocol;

namespace Hydra.Builder.Tests.Execution;

public sealed class ExitCodeClassifierTests
{
    [Theory]
    [InlineData(0, StepOutcome.Succeeded)]
    [InlineData(100, StepOutcome.Failed)]
    [InlineData(102, StepOutcome.Failed)]
    [InlineData(104, StepOutcome.Failed)]
    [InlineData(108, StepOutcome.Failed)]
    [InlineData(101, StepOutcome.TimedOut)]
    [InlineData(103, StepOutcome.TimedOut)]
    [InlineData(115, StepOutcome.TimedOut)]
    [InlineData(1, StepOutcome.Aborted)]
    [InlineData(99, StepOutcome.Aborted)]
    [InlineData(116, StepOutcome.Aborted)]
    [InlineData(137, StepOutcome.Aborted)]
    [InlineData(-1, StepOutcome.Aborted)]
    public void Realise_exit_codes_map_to_outcomes(int exitCode, StepOutcome expected) =>
        Assert.Equal(expected, ExitCodeClassifier.Classify(exitCode));
}
