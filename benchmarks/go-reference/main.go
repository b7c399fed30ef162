// Command startup-reference is the Go controller the startup figure comes from, so that figure can be
// measured beside LeakOperator on the same machine and API server instead of quoted: client-go 1.20's dynamic
// informer and rate-limited work queue, N workers, no client-side throttling, and one status write per object
// (status.observedGeneration = metadata.generation). No finalizer, no events, no injection: it is the floor a
// controller of this shape costs, not a second LeakOperator. With -finalizer and -events it also does the other
// writes LeakOperator does per object (a finalizer update first, one event through client-go's recorder), so the two
// can be compared doing the same work. With -status it writes the status given in a JSON file instead of only
// observedGeneration, so that its objects are as large as LeakOperator's: the same work on the same objects.
//
// It is built inside Debian's kubernetes 1.20 source tree, against the client-go vendored there, by
// scripts/go-reference.sh.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/client-go/util/workqueue"
)

var leakTests = schema.GroupVersionResource{Group: "leakoperator.dev", Version: "v1alpha1", Resource: "leaktests"}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the API server")
	namespace := flag.String("namespace", "", "namespace to watch (all when empty)")
	workers := flag.Int("workers", 4, "concurrent reconciles")
	finalizer := flag.String("finalizer", "", "when set, add this finalizer (an update) before the status write")
	events := flag.Bool("events", false, "record one event per observed object")
	statusFile := flag.String("status", "", "when set, a JSON file with the status to write (observedGeneration is set on top)")
	flag.Parse()

	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail(err)
	}
	// "No client-side throttling": client-go 1.20 otherwise limits every client to 5 QPS, burst 10.
	config.RateLimiter = flowcontrol.NewFakeAlwaysRateLimiter()
	client, err := dynamic.NewForConfig(config)
	if err != nil {
		fail(err)
	}

	var recorder record.EventRecorder
	if *events {
		typed, err := kubernetes.NewForConfig(config)
		if err != nil {
			fail(err)
		}
		broadcaster := record.NewBroadcaster()
		broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: typed.CoreV1().Events("")})
		recorder = broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "startup-reference"})
	}
	var status map[string]interface{}
	if *statusFile != "" {
		data, err := os.ReadFile(*statusFile)
		if err != nil {
			fail(err)
		}
		if err := json.Unmarshal(data, &status); err != nil {
			fail(err)
		}
	}
	r := &reconciler{client: client, finalizer: *finalizer, recorder: recorder, status: status}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	factory := dynamicinformer.NewFilteredDynamicSharedInformerFactory(client, 0, *namespace, nil)
	informer := factory.ForResource(leakTests).Informer()
	queue := workqueue.NewRateLimitingQueue(workqueue.DefaultControllerRateLimiter())
	enqueue := func(obj interface{}) {
		if key, err := cache.MetaNamespaceKeyFunc(obj); err == nil {
			queue.Add(key)
		}
	}
	informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj interface{}) { enqueue(obj) },
	})
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
		fail(fmt.Errorf("cache never synced"))
	}
	fmt.Printf("synced %d objects\n", len(informer.GetStore().List()))

	var running sync.WaitGroup
	for i := 0; i < *workers; i++ {
		running.Add(1)
		go func() {
			defer running.Done()
			for r.process(ctx, informer.GetStore(), queue) {
			}
		}()
	}
	<-ctx.Done()
	queue.ShutDown()
	running.Wait()
}

type reconciler struct {
	client    dynamic.Interface
	finalizer string
	recorder  record.EventRecorder
	status    map[string]interface{}
}

// process reconciles one key: writes status.observedGeneration when it lags metadata.generation.
func (r *reconciler) process(ctx context.Context, store cache.Store, queue workqueue.RateLimitingInterface) bool {
	item, shutdown := queue.Get()
	if shutdown {
		return false
	}
	defer queue.Done(item)
	obj, exists, err := store.GetByKey(item.(string))
	if err != nil || !exists {
		queue.Forget(item)
		return true
	}
	current := obj.(*unstructured.Unstructured)
	observed, _, _ := unstructured.NestedInt64(current.Object, "status", "observedGeneration")
	if observed == current.GetGeneration() {
		queue.Forget(item)
		return true
	}
	if err := r.reconcile(ctx, current.DeepCopy()); err != nil {
		queue.AddRateLimited(item)
		return true
	}
	queue.Forget(item)
	return true
}

func (r *reconciler) reconcile(ctx context.Context, updated *unstructured.Unstructured) error {
	resource := r.client.Resource(leakTests).Namespace(updated.GetNamespace())
	if r.finalizer != "" && !contains(updated.GetFinalizers(), r.finalizer) {
		updated.SetFinalizers(append(updated.GetFinalizers(), r.finalizer))
		withFinalizer, err := resource.Update(ctx, updated, metav1.UpdateOptions{})
		if err != nil {
			return err
		}
		updated = withFinalizer
	}
	if r.status != nil {
		updated.Object["status"] = runtime.DeepCopyJSON(r.status)
	}
	if err := unstructured.SetNestedField(updated.Object, updated.GetGeneration(), "status", "observedGeneration"); err != nil {
		return err
	}
	if _, err := resource.UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil {
		return err
	}
	if r.recorder != nil {
		r.recorder.Event(updated, corev1.EventTypeNormal, "Observed", "observed generation")
	}
	return nil
}

func contains(values []string, value string) bool {
	for _, v := range values {
		if v == value {
			return true
		}
	}
	return false
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
